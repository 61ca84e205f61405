import { renderHook } from "@testing-library/react"
import { createElement, type ReactNode } from "react"
import { Provider } from "urql"
import { fakeClient } from "../test/fakeClient"
import { prediction, predictionPage } from "../test/fixtures"
import { usePredictions, type PredictionFilters } from "./predictions"

const ANY: PredictionFilters = {
  label: null,
  minConfidence: null,
  maxConfidence: null,
  state: null,
  disagreements: false,
  order: "CONFIDENCE_DESC",
}

describe("usePredictions", () => {
  it("is loading from the very render its filters change in, never showing the old page as ready", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([prediction(1)]) })
    const wrapper = ({ children }: { children: ReactNode }) => createElement(Provider, { value: fake.client }, children)
    const seen: { disagreements: boolean; status: string; items: number }[] = []
    const { rerender, result } = renderHook(
      ({ filters }: { filters: PredictionFilters }) => {
        const view = usePredictions("7", filters, 0)
        seen.push({ disagreements: filters.disagreements, status: view.status, items: view.items.length })
        return view
      },
      { wrapper, initialProps: { filters: ANY } },
    )
    await vi.waitFor(() => expect(result.current.status).toBe("ready"))
    delete fake.handlers.Predictions // the next page never comes
    seen.length = 0
    rerender({ filters: { ...ANY, disagreements: true } })
    expect(seen[0]).toEqual({ disagreements: true, status: "loading", items: 1 })
    expect(seen.every((s) => s.status === "loading")).toBe(true)
  })
})
