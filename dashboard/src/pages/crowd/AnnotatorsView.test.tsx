import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient, serverError } from "../../test/fakeClient"
import { annotator } from "../../test/fixtures"
import { renderConsole } from "../../test/render"

const ANA = annotator()
const BO = annotator({
  id: "12",
  name: "bo",
  answers: 3,
  tasks: 1,
  goldAnswers: 0,
  goldAccuracy: null,
  agreement: 0.5,
  reliability: null,
  lastAnswerAt: null,
  taskIds: ["7"],
  tokenExpiresAt: "2027-03-02T04:43:08+00:00",
})
const SUSPENDED_ANA = { ...ANA, status: "SUSPENDED" as const, statusReason: "random taps" }

function crowd(annotators = [ANA, BO]) {
  return fakeClient({
    TaskTitles: () => ({ tasks: [{ id: "7", title: "Long sleeves?" }] }),
    AnnotatorList: () => ({ annotators }),
  })
}

const names = () =>
  screen
    .getAllByRole("row")
    .slice(1)
    .map((r) => within(r).getByRole("strong").textContent)

describe("annotators", () => {
  it("shows each one's status, answers, tasks, gold accuracy, agreement, reliability, last answer and token expiry", async () => {
    renderConsole(crowd().client, { path: "/crowd/annotators" })
    const ana = await screen.findByTestId("annotator-11")
    expect(within(ana).getByTestId("annotator-status-11")).toHaveTextContent("Active")
    expect(within(ana).getByText("40")).toBeInTheDocument()
    expect(within(ana).getByText(/80[.,]0\s?% of 10/)).toBeInTheDocument()
    expect(within(ana).getByText(/90[.,]0\s?%/)).toBeInTheDocument()
    expect(within(ana).getByText(/75[.,]0\s?%/)).toBeInTheDocument()
    expect(within(ana).getByText("Never")).toBeInTheDocument()
    expect(within(ana).getByText("Invited to: Every task")).toBeInTheDocument()
    const bo = screen.getByTestId("annotator-12")
    expect(within(bo).getByText("No answer yet")).toBeInTheDocument()
    expect(within(bo).getByText("Invited to: Long sleeves?")).toBeInTheDocument()
    expect(within(bo).getByText(/2027/)).toBeInTheDocument()
    expect(screen.getByText("2 annotators")).toBeInTheDocument()
  })

  it("asks the server for one status at a time", async () => {
    const fake = crowd()
    renderConsole(fake.client, { path: "/crowd/annotators" })
    await screen.findByTestId("annotator-11")
    fake.handlers.AnnotatorList = (v) => ({ annotators: v.status === "SUSPENDED" ? [SUSPENDED_ANA] : [ANA, BO] })
    await userEvent.selectOptions(screen.getByLabelText("Status"), "SUSPENDED")
    await waitFor(() => expect(screen.queryByTestId("annotator-12")).not.toBeInTheDocument())
    expect(fake.calls.filter((c) => c.name === "AnnotatorList").at(-1)?.variables).toEqual({ status: "SUSPENDED" })
    expect(screen.getByTestId("annotator-status-11")).toHaveTextContent("Suspended")
    expect(screen.getByText("random taps")).toBeInTheDocument()
  })

  it("sorts by any column, either way, with annotators lacking the figure last", async () => {
    const cy = annotator({ id: "13", name: "Cy", agreement: null })
    renderConsole(crowd([ANA, BO, cy]).client, { path: "/crowd/annotators" })
    await screen.findByTestId("annotator-11")
    expect(names()).toEqual(["Ana", "bo", "Cy"])
    const agreement = screen.getByRole("button", { name: /Agreement/ })
    await userEvent.click(agreement)
    expect(names()).toEqual(["bo", "Ana", "Cy"])
    expect(screen.getByRole("columnheader", { name: /Agreement/ })).toHaveAttribute("aria-sort", "ascending")
    await userEvent.click(agreement)
    expect(names()).toEqual(["Ana", "bo", "Cy"])
    expect(screen.getByRole("columnheader", { name: /Agreement/ })).toHaveAttribute("aria-sort", "descending")
    expect(screen.getByRole("columnheader", { name: /Annotator/ })).toHaveAttribute("aria-sort", "none")
  })

  it("says what suspending does before it does it, then what it changed", async () => {
    const fake = crowd()
    renderConsole(fake.client, { path: "/crowd/annotators" })
    await userEvent.click(await screen.findByRole("button", { name: "Suspend Ana" }))
    const dialog = screen.getByRole("alertdialog", { name: "Suspend Ana?" })
    expect(dialog).toHaveTextContent("its answers on samples still open stop counting")
    expect(dialog).toHaveTextContent("labels already decided with its answers stay as they are")
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus()
    await userEvent.type(within(dialog).getByLabelText("Reason"), "random taps")

    fake.handlers.SuspendAnnotator = () => ({
      suspendAnnotator: { annotator: SUSPENDED_ANA, uncountedAnswers: 3, decidedAnswers: 5 },
    })
    fake.handlers.AnnotatorList = () => ({ annotators: [SUSPENDED_ANA, BO] })
    await userEvent.click(within(dialog).getByRole("button", { name: "Suspend" }))
    expect(await screen.findByTestId("crowd-notice")).toHaveTextContent(
      "Ana is suspended. 3 answers on open samples no longer count; 5 answers on samples already decided keep their labels.",
    )
    expect(fake.calls.find((c) => c.name === "SuspendAnnotator")?.variables).toEqual({
      id: "11",
      reason: "random taps",
    })
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId("annotator-status-11")).toHaveTextContent("Suspended"))
    expect(screen.getByRole("button", { name: "Reinstate Ana" })).toBeInTheDocument()
  })

  it("suspends nobody when the owner cancels (Escape too)", async () => {
    const fake = crowd()
    renderConsole(fake.client, { path: "/crowd/annotators" })
    await userEvent.click(await screen.findByRole("button", { name: "Suspend Ana" }))
    await userEvent.keyboard("{Escape}")
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument()
    await waitFor(() => expect(screen.getByRole("button", { name: "Suspend Ana" })).toHaveFocus())
    expect(fake.count("SuspendAnnotator")).toBe(0)
  })

  it("keeps the dialog open with the server's message beside the reason, or above the buttons", async () => {
    const fake = crowd()
    fake.handlers.SuspendAnnotator = () => [
      serverError("BAD_USER_INPUT", "reason must be at most 500 characters", "reason"),
    ]
    renderConsole(fake.client, { path: "/crowd/annotators" })
    await userEvent.click(await screen.findByRole("button", { name: "Suspend Ana" }))
    await userEvent.click(screen.getByRole("button", { name: "Suspend" }))
    expect(await screen.findByTestId("error-reason")).toHaveTextContent("Must be at most 500 characters")
    expect(screen.getByLabelText("Reason")).toHaveAttribute("aria-invalid", "true")

    fake.handlers.SuspendAnnotator = () => [serverError("NOT_FOUND", "no annotator 11")]
    await userEvent.click(screen.getByRole("button", { name: "Suspend" }))
    const dialog = screen.getByRole("alertdialog")
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("no annotator 11")
  })

  it("reinstates at once and says the answers taken back stay uncounted", async () => {
    const fake = crowd([SUSPENDED_ANA])
    fake.handlers.ReinstateAnnotator = () => ({ reinstateAnnotator: ANA })
    renderConsole(fake.client, { path: "/crowd/annotators" })
    fake.handlers.AnnotatorList = () => ({ annotators: [ANA] })
    await userEvent.click(await screen.findByRole("button", { name: "Reinstate Ana" }))
    expect(await screen.findByTestId("crowd-notice")).toHaveTextContent(
      "Ana may answer again. Answers taken back at its suspension stay uncounted.",
    )
    await waitFor(() => expect(screen.getByTestId("annotator-status-11")).toHaveTextContent("Active"))
  })

  it("says when to try again when the server limits the console", async () => {
    const fake = crowd([SUSPENDED_ANA])
    fake.handlers.ReinstateAnnotator = () => [serverError("RATE_LIMITED", "slow down", undefined, { retryAfter: 7 })]
    renderConsole(fake.client, { path: "/crowd/annotators" })
    await userEvent.click(await screen.findByRole("button", { name: "Reinstate Ana" }))
    const notice = await screen.findByTestId("crowd-notice")
    expect(notice).toHaveAttribute("role", "alert")
    expect(notice).toHaveTextContent(/Try again in 7 s \(at .+\)/)
  })

  it("revokes a token only after asking, and its answers keep counting", async () => {
    const fake = crowd()
    fake.handlers.RevokeToken = () => ({ revokeToken: ANA })
    renderConsole(fake.client, { path: "/crowd/annotators" })
    await userEvent.click(await screen.findByRole("button", { name: "Revoke the token of Ana" }))
    const dialog = screen.getByRole("alertdialog", { name: "Revoke Ana’s token?" })
    expect(dialog).toHaveTextContent("Its answers keep counting.")
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke token" }))
    expect(await screen.findByTestId("crowd-notice")).toHaveTextContent("Ana’s token no longer works")
    expect(fake.calls.find((c) => c.name === "RevokeToken")?.variables).toEqual({ annotatorId: "11" })
  })
})
