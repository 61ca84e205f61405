import { screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient, serverError } from "../../test/fakeClient"
import { agreement, round, sample, taskDetail } from "../../test/fixtures"
import { renderSignedIn } from "../../test/render"
import { AgreementPanel } from "./AgreementPanel"

const reply = (overrides: Record<string, unknown> = {}) => ({
  task: {
    id: "7",
    agreement: agreement(),
    currentBatch: { id: "2", number: 1, agreement: agreement({ alpha: 0.55, answers: 6, evidence: 0 }) },
    rounds: [
      { number: 0, agreement: null },
      { number: 1, agreement: agreement({ alpha: 0.91, answers: 11, accepted: 4, disputed: 1, disputedShare: 0.2 }) },
    ],
    ...overrides,
  },
})

describe("the crowd's agreement", () => {
  it("shows placeholders while it loads", () => {
    renderSignedIn(fakeClient({}).client, <AgreementPanel task={taskDetail()} />)
    expect(screen.getByRole("status", { name: "Loading the crowd's agreement" })).toBeInTheDocument()
  })

  it("waits for the first answers", async () => {
    const none = agreement({ alpha: null, answers: 0, evidence: 0, accepted: 0, disputed: 0, disputedShare: null })
    const fake = fakeClient({ TaskAgreement: () => reply({ agreement: none, rounds: [] }) })
    renderSignedIn(fake.client, <AgreementPanel task={taskDetail()} />)
    expect(await screen.findByTestId("agreement-empty")).toHaveTextContent(
      "Agreement shows once annotators have answered.",
    )
    expect(screen.queryByTestId("agreement-alpha")).not.toBeInTheDocument()
  })

  it("shows alpha in words with its explanation, this batch beside all batches, and each round", async () => {
    const fake = fakeClient({ TaskAgreement: () => reply() })
    renderSignedIn(fake.client, <AgreementPanel task={taskDetail()} />)
    expect(await screen.findByTestId("agreement-alpha")).toHaveTextContent(/^0[.,]82$/)
    expect(screen.getByText("Reliable agreement")).toBeInTheDocument()
    expect(screen.getByText(/Krippendorff's alpha: 1 when annotators always agree, 0 when/)).toBeInTheDocument()
    expect(screen.getByRole("columnheader", { name: "Batch 1" })).toBeInTheDocument()
    expect(screen.getByTestId("agreement-batch-alpha")).toHaveTextContent(/^0[.,]55$/)
    const share = screen.getByRole("row", { name: /Disputed share/ })
    expect(
      within(share)
        .getAllByRole("cell")
        .map((c) => c.textContent),
    ).toEqual([expect.stringMatching(/^7[.,]7\s?%$/), expect.stringMatching(/^7[.,]7\s?%$/)])
    // Round 0 trained on no crowd labels: only round 1 has a row.
    const rounds = screen.getByTestId("agreement-rounds")
    expect(within(rounds).queryByTestId("agreement-round-0")).not.toBeInTheDocument()
    const row = within(rounds).getByTestId("agreement-round-1")
    expect(
      within(row)
        .getAllByRole("cell")
        .map((c) => c.textContent),
    ).toEqual([expect.stringMatching(/^0[.,]91$/), "11", "4", expect.stringMatching(/^1 \(20[.,]0\s?%\)$/)])
  })

  it("shows a dash where a figure is undefined", async () => {
    const none = agreement({ alpha: null, disputedShare: null, answersPerLabel: null, accepted: 0, disputed: 0 })
    const fake = fakeClient({
      TaskAgreement: () =>
        reply({ agreement: none, currentBatch: { id: "2", number: 1, agreement: null }, rounds: [] }),
    })
    renderSignedIn(fake.client, <AgreementPanel task={taskDetail()} />)
    expect(await screen.findByTestId("agreement-all-alpha")).toHaveTextContent("—")
    expect(screen.getByTestId("agreement-batch-alpha")).toHaveTextContent("—")
    expect(screen.getByText("Not enough shared answers yet")).toBeInTheDocument()
    expect(within(screen.getByRole("row", { name: /Votes per label/ })).getAllByRole("cell")[1]).toHaveTextContent("—")
    expect(screen.getByTestId("agreement-rounds-empty")).toHaveTextContent("once round 1 has trained")
  })

  it("says what went wrong, and tries again on request", async () => {
    const fake = fakeClient({ TaskAgreement: () => serverError("FORBIDDEN") })
    renderSignedIn(fake.client, <AgreementPanel task={taskDetail()} />)
    expect(await screen.findByRole("alert")).toHaveTextContent(/needs the admin token/)
    fake.handlers.TaskAgreement = () => reply()
    await userEvent.click(screen.getByRole("button", { name: "Try again" }))
    expect(await screen.findByTestId("agreement-alpha")).toBeInTheDocument()
  })

  it("reads it again when the batch's answers change, not otherwise", async () => {
    const fake = fakeClient({ TaskAgreement: () => reply() })
    const batch = (answerCount: number) => ({
      id: "2",
      number: 1,
      status: "OPEN" as const,
      samples: [sample(1, { answerCount })],
    })
    const view = renderSignedIn(fake.client, <AgreementPanel task={taskDetail({ currentBatch: batch(1) })} />)
    await screen.findByTestId("agreement-alpha")
    const before = fake.count("TaskAgreement")
    view.rerender(<AgreementPanel task={taskDetail({ currentBatch: batch(1), rounds: [round(0)] })} />)
    expect(fake.count("TaskAgreement")).toBe(before)
    fake.handlers.TaskAgreement = () => reply({ agreement: agreement({ alpha: 0.4 }) })
    view.rerender(<AgreementPanel task={taskDetail({ currentBatch: batch(2) })} />)
    expect(await screen.findByText("Low agreement")).toBeInTheDocument()
    expect(fake.count("TaskAgreement")).toBe(before + 1)
  })
})
