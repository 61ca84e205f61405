import { act, screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient, serverError } from "../../test/fakeClient"
import { prediction, predictionPage, round, taskDetail } from "../../test/fixtures"
import { renderSignedIn } from "../../test/render"
import { PredictionsPanel } from "./PredictionsPanel"

const task = taskDetail({ rounds: [round(0), round(1)] })
const lastAsked = (fake: ReturnType<typeof fakeClient>) =>
  fake.calls.filter((c) => c.name === "Predictions").at(-1)!.variables
const tiles = () => within(screen.getByTestId("predictions")).getAllByRole("listitem")

describe("the pool's predictions", () => {
  it("shows placeholder tiles while the first page loads", () => {
    renderSignedIn(fakeClient({}).client, <PredictionsPanel task={task} />)
    expect(screen.getByRole("status", { name: "Loading the predictions" })).toBeInTheDocument()
  })

  it("says when no round has predicted yet", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([]) })
    renderSignedIn(fake.client, <PredictionsPanel task={taskDetail({ rounds: [] })} />)
    expect(await screen.findByText("No predictions yet")).toBeInTheDocument()
  })

  it("shows each sample with the predicted label and confidence, most certain first, disagreements flagged", async () => {
    const items = [
      prediction(1, { confidence: 0.97 }),
      prediction(2, { confidence: 0.9, crowdState: "ACCEPTED", crowdLabel: "long_sleeved" }),
      prediction(3, {
        confidence: 0.81,
        crowdState: "ACCEPTED",
        crowdLabel: "not_long_sleeved",
        disagrees: true,
      }),
      prediction(4, { confidence: 0.6, label: "not_long_sleeved", crowdState: "DISPUTED" }),
    ]
    const fake = fakeClient({ Predictions: () => predictionPage(items, { total: 140 }) })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    expect(await screen.findByTestId("predictions-total")).toHaveTextContent("140 samples · round 1's model")
    expect(lastAsked(fake)).toMatchObject({ taskId: "7", order: "CONFIDENCE_DESC", disagreements: false, after: null })
    expect(tiles()).toHaveLength(4)
    expect(
      screen.getByRole("img", { name: /Sample 1: predicted long_sleeved at 97[.,]0\s?%; not labelled yet$/ }),
    ).toBeInTheDocument()
    const flagged = screen.getByTestId("prediction-3")
    expect(flagged).toHaveAttribute("data-disagrees", "true")
    expect(within(flagged).getByRole("img")).toHaveAccessibleName(
      /the crowd accepted not_long_sleeved \(disagrees with the model\)/,
    )
    expect(flagged).toHaveTextContent("Crowd: not_long_sleeved")
    expect(screen.getByTestId("prediction-2")).toHaveAttribute("data-disagrees", "false")
    expect(screen.getByTestId("prediction-4")).toHaveTextContent("Crowd: disputed")
    expect(screen.getByTestId("predictions-shown")).toHaveTextContent("Showing 4 of 140")
  })

  it("shows texts where the samples are texts", async () => {
    const text = prediction(5, { sample: { id: "5", mediaUrl: null, text: "Bridge on Route 9 is flooded" } })
    renderSignedIn(fakeClient({ Predictions: () => predictionPage([text]) }).client, <PredictionsPanel task={task} />)
    expect(await screen.findByRole("img", { name: /Sample 5: predicted/ })).toHaveTextContent(
      "Bridge on Route 9 is flooded",
    )
  })

  it("asks the server for the filters: label, confidence as a fraction, crowd state, disagreements", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([prediction(1)]) })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    await userEvent.selectOptions(screen.getByLabelText("Predicted label"), "long_sleeved")
    await userEvent.selectOptions(screen.getByLabelText("Crowd"), "DISPUTED")
    await userEvent.type(screen.getByLabelText("Confidence from (%)"), "40")
    await userEvent.type(screen.getByLabelText("to (%)"), "75")
    await waitFor(() =>
      expect(lastAsked(fake)).toMatchObject({
        label: "long_sleeved",
        state: "DISPUTED",
        minConfidence: 0.4,
        maxConfidence: 0.75,
      }),
    )
    // Disagreements are among accepted samples: the state is then not sent.
    await userEvent.click(screen.getByLabelText(/Disagreements only/))
    await waitFor(() => expect(lastAsked(fake)).toMatchObject({ disagreements: true, state: null }))
    expect(screen.getByLabelText("Crowd")).toBeDisabled()
    await userEvent.selectOptions(screen.getByLabelText("Order"), "CONFIDENCE_ASC")
    await waitFor(() => expect(lastAsked(fake)).toMatchObject({ order: "CONFIDENCE_ASC" }))
  })

  it("says a percentage out of range beside its field, without asking the server", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([prediction(1)]) })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    const before = fake.count("Predictions")
    await userEvent.type(screen.getByLabelText("Confidence from (%)"), "140")
    expect(await screen.findByTestId("error-minConfidence")).toHaveTextContent("Enter a percentage from 0 to 100.")
    expect(fake.count("Predictions")).toBe(before)
  })

  it("shows the server's refusal beside the field it names", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([prediction(1)]) })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    fake.handlers.Predictions = () =>
      serverError("BAD_USER_INPUT", "minConfidence 0.9 is above maxConfidence 0.5", "minConfidence")
    await userEvent.type(screen.getByLabelText("Confidence from (%)"), "90")
    await userEvent.type(screen.getByLabelText("to (%)"), "50")
    expect(await screen.findByTestId("error-minConfidence")).toHaveTextContent("0.9 is above maxConfidence 0.5")
  })

  it("says when nothing matches the filters, and clears them", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([prediction(1)]) })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    fake.handlers.Predictions = (v) => predictionPage(v.disagreements ? [] : [prediction(1)])
    await userEvent.click(screen.getByLabelText(/Disagreements only/))
    expect(await screen.findByText("No prediction matches these filters")).toBeInTheDocument()
    await userEvent.click(screen.getByRole("button", { name: "Clear the filters" }))
    expect(await screen.findByTestId("predictions")).toBeInTheDocument()
    expect(screen.getByLabelText(/Disagreements only/)).not.toBeChecked()
  })

  it("loads the next page after the last cursor and appends it", async () => {
    const fake = fakeClient({
      Predictions: (v) =>
        v.after === "page-1"
          ? predictionPage([prediction(3, { confidence: 0.7 })], { total: 3 })
          : predictionPage([prediction(1, { confidence: 0.99 }), prediction(2, { confidence: 0.8 })], {
              total: 3,
              next: "page-1",
            }),
    })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    await userEvent.click(screen.getByRole("button", { name: "Load more" }))
    await waitFor(() => expect(tiles()).toHaveLength(3))
    expect(lastAsked(fake)).toMatchObject({ after: "page-1" })
    expect(tiles().map((li) => li.dataset.testid)).toEqual(["prediction-1", "prediction-2", "prediction-3"])
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument()
    expect(screen.getByTestId("predictions-shown")).toHaveTextContent("Showing 3 of 3")
  })

  it("keeps what is shown when the next page fails, and says why", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([prediction(1)], { total: 2, next: "page-1" }) })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    fake.handlers.Predictions = () => new Error("offline")
    await userEvent.click(screen.getByRole("button", { name: "Load more" }))
    expect(await screen.findByRole("alert")).toHaveTextContent("The server cannot be reached.")
    expect(tiles()).toHaveLength(1)
  })

  it("says what went wrong with the first page, and tries again", async () => {
    const fake = fakeClient({ Predictions: () => serverError("INTERNAL") })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    expect(await screen.findByRole("alert")).toHaveTextContent(/unexpected error/)
    fake.handlers.Predictions = () => predictionPage([prediction(1)])
    await userEvent.click(screen.getByRole("button", { name: "Try again" }))
    expect(await screen.findByTestId("predictions")).toBeInTheDocument()
  })

  it("offers a new round's predictions without moving what is shown", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([prediction(1, { roundNumber: 1 })]) })
    const view = renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    const before = fake.count("Predictions")
    fake.handlers.Predictions = () => predictionPage([prediction(9, { roundNumber: 2 })])
    act(() => view.rerender(<PredictionsPanel task={taskDetail({ rounds: [round(0), round(1), round(2)] })} />))
    const offer = await screen.findByRole("button", { name: "Show round 2's predictions" })
    expect(screen.getByTestId("prediction-1")).toBeInTheDocument()
    expect(fake.count("Predictions")).toBe(before)
    await userEvent.click(offer)
    expect(await screen.findByTestId("prediction-9")).toBeInTheDocument()
    expect(screen.queryByTestId("predictions-stale")).not.toBeInTheDocument()
  })

  it("reads round 0's predictions as soon as it has trained", async () => {
    const fake = fakeClient({ Predictions: () => predictionPage([]) })
    const view = renderSignedIn(fake.client, <PredictionsPanel task={taskDetail({ rounds: [] })} />)
    await screen.findByText("No predictions yet")
    fake.handlers.Predictions = () => predictionPage([prediction(1, { roundNumber: 0 })])
    view.rerender(<PredictionsPanel task={taskDetail({ rounds: [round(0)] })} />)
    expect(await screen.findByTestId("prediction-1")).toBeInTheDocument()
  })

  it("fixes an accepted label the model disagrees with, then reads the predictions again", async () => {
    let corrected = false
    const flagged = () =>
      prediction(3, {
        label: "long_sleeved",
        crowdState: "ACCEPTED",
        crowdLabel: corrected ? "long_sleeved" : "not_long_sleeved",
        disagrees: !corrected,
      })
    const fake = fakeClient({
      Predictions: () =>
        predictionPage([flagged(), prediction(2, { crowdState: "ACCEPTED", crowdLabel: "long_sleeved" })]),
      ReviewSample: ({ sampleId, label }) => {
        corrected = true
        return { reviewSample: { id: sampleId, state: "ACCEPTED", resolvedLabel: label } }
      },
    })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await screen.findByTestId("predictions")
    // Only where the crowd and the model disagree.
    expect(within(screen.getByTestId("prediction-2")).queryByRole("button")).not.toBeInTheDocument()
    await userEvent.click(screen.getByRole("button", { name: "Fix sample 3's label" }))
    const choices = screen.getByRole("group", { name: "Sample 3's label" })
    // The labels it does not have, the model's first; and a way back.
    expect(
      within(choices)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["long_sleeved", "Cancel"])
    const reads = fake.count("Predictions")
    await userEvent.click(within(choices).getByRole("button", { name: "Label sample 3 long_sleeved" }))
    expect(fake.calls.find((c) => c.name === "ReviewSample")?.variables).toEqual({
      sampleId: "3",
      action: "DECIDE",
      label: "long_sleeved",
    })
    expect(await screen.findByTestId("fix-status")).toHaveTextContent(
      "Sample 3 is now labelled long_sleeved: it trains from the next round on.",
    )
    await waitFor(() => expect(screen.getByTestId("prediction-3")).toHaveAttribute("data-disagrees", "false"))
    expect(fake.count("Predictions")).toBe(reads + 1)
  })

  it("says why a label was not fixed", async () => {
    const fake = fakeClient({
      Predictions: () =>
        predictionPage([prediction(3, { crowdState: "ACCEPTED", crowdLabel: "not_long_sleeved", disagrees: true })]),
      ReviewSample: () => [
        serverError("BAD_USER_INPUT", "sample 3 is a seed sample: only samples the crowd labels are reviewed"),
      ],
    })
    renderSignedIn(fake.client, <PredictionsPanel task={task} />)
    await userEvent.click(await screen.findByRole("button", { name: "Fix sample 3's label" }))
    await userEvent.click(screen.getByRole("button", { name: "Label sample 3 long_sleeved" }))
    expect(await screen.findByTestId("fix-status")).toHaveTextContent(
      "Sample 3 keeps its label. Sample 3 is a seed sample: only samples the crowd labels are reviewed",
    )
    expect(screen.getByTestId("fix-status")).toHaveAttribute("data-tone", "danger")
  })
})
