import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient } from "../test/fakeClient"
import { sample, taskRow } from "../test/fixtures"
import { renderConsole } from "../test/render"

describe("the task list", () => {
  it("shows placeholders while the list loads", () => {
    renderConsole(fakeClient({}).client)
    expect(screen.getByRole("status", { name: "Loading tasks" })).toBeInTheDocument()
  })

  it("says what went wrong and tries again on request", async () => {
    const fake = fakeClient({ TaskList: () => new Error("Failed to fetch") })
    renderConsole(fake.client)
    expect(await screen.findByText(/server cannot be reached/)).toBeInTheDocument()
    fake.handlers.TaskList = () => ({ tasks: [taskRow()] })
    await userEvent.click(screen.getByRole("button", { name: "Try again" }))
    expect(await screen.findByRole("link", { name: "Long sleeves?" })).toBeInTheDocument()
  })

  it("invites to create the first task when there is none", async () => {
    renderConsole(fakeClient({ TaskList: () => ({ tasks: [] }) }).client)
    expect(await screen.findByText("No tasks yet")).toBeInTheDocument()
    expect(screen.getByRole("link", { name: "Create the first task" })).toHaveAttribute("href", "/tasks/new")
  })

  it("shows status, round, labels, accuracy and the open batch's progress", async () => {
    const samples = [sample(1, { state: "ACCEPTED" }), sample(2, { state: "DISPUTED" }), sample(3), sample(4)]
    const row = taskRow({
      rounds: [
        { number: 0, accuracy: 0.8 },
        { number: 1, accuracy: 0.8567 },
      ],
      labelledCount: 1234,
      currentBatch: { id: "2", number: 1, status: "OPEN", samples },
    })
    renderConsole(fakeClient({ TaskList: () => ({ tasks: [row] }) }).client)
    const tr = await screen.findByTestId("task-7")
    expect(within(tr).getByText("Collecting answers")).toBeInTheDocument()
    expect(within(tr).getByText("1")).toBeInTheDocument() // latest round
    expect(within(tr).getByText(/1,234|1\s234|1\.234/)).toBeInTheDocument()
    expect(within(tr).getByTestId("accuracy-7")).toHaveTextContent(/85[.,]7/)
    expect(within(tr).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "2")
    expect(within(tr).getByText("2 / 4 decided")).toBeInTheDocument()
  })

  it("says of a task without an open batch that it trains, has finished or has stopped", async () => {
    const rows = (["TRAINING", "FINISHED", "FAILED"] as const).map((status, i) =>
      taskRow({ id: String(20 + i), status, currentBatch: null }),
    )
    renderConsole(fakeClient({ TaskList: () => ({ tasks: rows }) }).client)
    expect(await screen.findByTestId("batch-20")).toHaveTextContent("Training…")
    expect(screen.getByTestId("batch-21")).toHaveTextContent("Finished")
    expect(screen.getByTestId("batch-22")).toHaveTextContent("Stopped")
  })

  it("reads the list again when tasksChanged reports a change", async () => {
    const fake = fakeClient({ TaskList: () => ({ tasks: [taskRow()] }) })
    renderConsole(fake.client)
    await screen.findByTestId("task-7")
    fake.handlers.TaskList = () => ({
      tasks: [taskRow(), taskRow({ id: "8", title: "Collapsed buildings", status: "TRAINING", currentBatch: null })],
    })
    fake.push("TasksChanged", { tasksChanged: { id: "8", status: "TRAINING", deleted: false } })
    const row = await screen.findByTestId("task-8")
    expect(within(row).getByText("Training")).toBeInTheDocument()
    await waitFor(() => expect(screen.getByText("2 tasks")).toBeInTheDocument())
  })
})
