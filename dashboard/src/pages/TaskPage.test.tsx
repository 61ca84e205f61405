import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient, serverError } from "../test/fakeClient"
import { round, sample, taskDetail, taskRow } from "../test/fixtures"
import { renderConsole } from "../test/render"

const open = (path = "/tasks/7", handlers: Parameters<typeof fakeClient>[0] = {}) => {
  const fake = fakeClient({ TaskDetail: () => ({ task: taskDetail() }), ...handlers })
  renderConsole(fake.client, { path })
  return fake
}

describe("a task's page", () => {
  it("shows placeholders while the task loads", () => {
    renderConsole(fakeClient({}).client, { path: "/tasks/7" })
    expect(screen.getByRole("status", { name: "Loading the task" })).toBeInTheDocument()
  })

  it("says so when the task does not exist", async () => {
    open("/tasks/99", { TaskDetail: () => ({ task: null }) })
    expect(await screen.findByText("This task does not exist")).toBeInTheDocument()
  })

  it("says what went wrong when the task cannot be read", async () => {
    open("/tasks/7", { TaskDetail: () => serverError("INTERNAL", "internal error") })
    expect(await screen.findByText(/unexpected error/)).toBeInTheDocument()
  })

  it("shows the open batch: answers in, accepted, disputed, still open", async () => {
    const samples = [
      sample(1, { state: "ACCEPTED", answerCount: 2, resolvedLabel: "long_sleeved" }),
      sample(2, { state: "DISPUTED", answerCount: 3 }),
      sample(3, { answerCount: 1 }),
      sample(4),
      sample(5),
    ]
    open("/tasks/7", {
      TaskDetail: () => ({ task: taskDetail({ currentBatch: { id: "1", number: 0, status: "OPEN", samples } }) }),
    })
    expect(await screen.findByRole("heading", { name: "Batch 0" })).toBeInTheDocument()
    expect(screen.getByTestId("batch-answers")).toHaveTextContent("6")
    expect(screen.getByTestId("batch-accepted")).toHaveTextContent("1")
    expect(screen.getByTestId("batch-disputed")).toHaveTextContent("1")
    expect(screen.getByTestId("batch-open")).toHaveTextContent("3")
    expect(screen.getByRole("img", { name: /Sample 1: 2 answers, accepted as long_sleeved/ })).toBeInTheDocument()
  })

  it("says round 0 is training before there is any batch", async () => {
    open("/tasks/7", {
      TaskDetail: () => ({ task: taskDetail({ status: "TRAINING", rounds: [], currentBatch: null }) }),
    })
    expect(await screen.findByTestId("batch-waiting")).toHaveTextContent("Round 0 is training on 20 labelled samples")
    expect(screen.getByText("Training")).toBeInTheDocument()
  })

  it("keeps the resolved batch's final tallies in view while the next round trains", async () => {
    const samples = [sample(1, { state: "ACCEPTED", answerCount: 2 }), sample(2, { state: "DISPUTED", answerCount: 3 })]
    const batch = { id: "1", number: 0, status: "RESOLVED" as const, samples }
    open("/tasks/7", { TaskDetail: () => ({ task: taskDetail({ status: "TRAINING", currentBatch: batch }) }) })
    expect(await screen.findByTestId("batch-waiting")).toHaveTextContent("Round 1 is training")
    expect(screen.getByText("Resolved")).toBeInTheDocument()
    expect(screen.getByTestId("batch-disputed")).toHaveTextContent("1")
  })

  it("shows why a task failed", async () => {
    open("/tasks/7", {
      TaskDetail: () => ({ task: taskDetail({ status: "FAILED", currentBatch: null, lastError: "out of memory" }) }),
    })
    expect(await screen.findByText(/The last round failed for good: out of memory/)).toBeInTheDocument()
  })

  it("says which stopping rule finished the task", async () => {
    const scenario = { ...taskDetail().scenario, labelBudget: 60 }
    open("/tasks/7", {
      TaskDetail: () => ({
        task: taskDetail({ status: "FINISHED", currentBatch: null, finishedReason: "LABEL_BUDGET", scenario }),
      }),
    })
    expect(await screen.findByTestId("finished-reason")).toHaveTextContent("Finished: the label budget of 60 is spent.")
  })

  it("shows no reason for a task still running", async () => {
    open()
    await screen.findByRole("heading", { name: "Long sleeves?", level: 1 })
    expect(screen.queryByTestId("finished-reason")).not.toBeInTheDocument()
  })

  it("reads the task again on each of its events and announces it", async () => {
    const fake = open()
    await screen.findByRole("heading", { name: "Batch 0" })
    const before = fake.count("TaskDetail")
    const rounds = [round(0), round(1, { accuracy: 0.9 })]
    fake.handlers.TaskDetail = () => ({
      task: taskDetail({ rounds, currentBatch: { id: "2", number: 1, status: "OPEN", samples: [sample(9)] } }),
    })
    fake.push("TaskEvents", { taskEvents: { __typename: "RoundCompleted", round: { number: 1 } } })
    expect(await screen.findByRole("heading", { name: "Batch 1" })).toBeInTheDocument()
    expect(fake.count("TaskDetail")).toBeGreaterThan(before)
    expect(screen.getByTestId("stat-accuracy")).toHaveTextContent(/90[.,]0/)
    expect(screen.getByTestId("announcer")).toHaveTextContent("Round 1 finished.")
  })

  it("shows answers coming into the batch as the server reports them, without announcing each", async () => {
    const fake = open()
    await screen.findByRole("heading", { name: "Batch 0" })
    expect(fake.calls.find((c) => c.name === "TaskEvents")?.variables).toEqual({ taskId: "7" })
    fake.push("TaskEvents", { taskEvents: { __typename: "RoundCompleted", round: { number: 0 } } })
    await waitFor(() => expect(screen.getByTestId("announcer")).toHaveTextContent("Round 0 finished."))
    const answered = taskDetail().currentBatch!.samples.map((s, i) => (i === 0 ? { ...s, answerCount: 4 } : s))
    fake.handlers.TaskDetail = () => ({
      task: taskDetail({ currentBatch: { ...taskDetail().currentBatch!, samples: answered } }),
    })
    const before = fake.count("TaskDetail")
    fake.push("TaskEvents", {
      taskEvents: { __typename: "BatchProgress", batch: { id: "1" }, answers: 4, decided: 0 },
    })
    await waitFor(() => expect(fake.count("TaskDetail")).toBe(before + 1))
    await waitFor(() => expect(screen.getByTestId("batch-answers")).toHaveTextContent(/^4$/))
    expect(screen.getByTestId("announcer")).toHaveTextContent("Round 0 finished.")
  })

  it("reads nothing on a timer while a batch is open: answers arrive as events", async () => {
    const fake = open()
    await screen.findByRole("heading", { name: "Batch 0" })
    const before = fake.count("TaskDetail")
    await new Promise((r) => setTimeout(r, 3500))
    expect(fake.count("TaskDetail")).toBe(before)
  })

  it("ignores other tasks' changes but reads again when this one changes", async () => {
    // TRAINING: no batch is open, so nothing is read on a timer meanwhile.
    const fake = open("/tasks/7", {
      TaskDetail: () => ({ task: taskDetail({ status: "TRAINING", currentBatch: null }) }),
    })
    await screen.findByTestId("batch-waiting")
    const before = fake.count("TaskDetail")
    fake.push("TasksChanged", { tasksChanged: { id: "8", status: "TRAINING", deleted: false } })
    await new Promise((r) => setTimeout(r, 300))
    expect(fake.count("TaskDetail")).toBe(before)
    fake.handlers.TaskDetail = () => ({ task: null })
    fake.push("TasksChanged", { tasksChanged: { id: "7", status: "COLLECTING", deleted: true } })
    expect(await screen.findByText("This task does not exist")).toBeInTheDocument()
  })

  it("draws one learning-curve point per round, and explains an empty curve", async () => {
    const fake = open("/tasks/7", {
      TaskDetail: () => ({ task: taskDetail({ rounds: [], status: "TRAINING", currentBatch: null }) }),
    })
    expect(await screen.findByTestId("learning-curve-empty")).toHaveTextContent(
      "The curve starts when round 0 has trained.",
    )
    fake.handlers.TaskDetail = () => ({ task: taskDetail({ rounds: [round(0), round(1), round(2)] }) })
    fake.push("TaskEvents", { taskEvents: { __typename: "RoundCompleted", round: { number: 2 } } })
    const chart = await screen.findByTestId("learning-curve")
    expect(chart).toHaveAttribute("data-points", "3")
    // The baseline: 14 of the 20 test samples have the first label.
    expect(screen.getByText(/Majority-class baseline 70[.,]0/)).toBeInTheDocument()
    await waitFor(() => expect(chart.querySelectorAll(".recharts-line-dots circle").length).toBe(6))
  })

  it("shows any round's confusion matrix with its counts", async () => {
    const rounds = [
      round(0, {
        confusionMatrix: [
          [9, 5],
          [4, 2],
        ],
      }),
      round(1),
    ]
    open("/tasks/7", { TaskDetail: () => ({ task: taskDetail({ rounds }) }) })
    const matrix = await screen.findByTestId("confusion-matrix")
    expect(within(matrix).getByText(/round 1/)).toBeInTheDocument()
    expect(
      within(matrix)
        .getAllByRole("cell")
        .map((c) => c.querySelector("strong")?.textContent),
    ).toEqual(["12", "2", "3", "3"])
    await userEvent.selectOptions(screen.getByTestId("round-picker"), "0")
    expect(
      within(matrix)
        .getAllByRole("cell")
        .map((c) => c.querySelector("strong")?.textContent),
    ).toEqual(["9", "5", "4", "2"])
    expect(within(matrix).getByRole("rowheader", { name: "not_long_sleeved" })).toBeInTheDocument()
  })
})

describe("a task's settings", () => {
  it("sends only what was changed, and says it was saved", async () => {
    const fake = open("/tasks/7", {
      UpdateTask: () => ({
        updateTask: {
          id: "7",
          title: "Long sleeves?",
          description: "",
          coverImageUrl: null,
          status: "COLLECTING",
          scenario: { batchSize: 10, queryStrategy: "MARGIN", minPeers: 2, minAgreement: 1, maxPeers: 3 },
        },
      }),
    })
    const save = await screen.findByRole("button", { name: "Save changes" })
    expect(save).toBeDisabled()
    const batch = screen.getByLabelText("Batch size")
    await userEvent.clear(batch)
    await userEvent.type(batch, "10")
    await userEvent.click(save)
    expect(await screen.findByText(/^Saved\./)).toBeInTheDocument()
    expect(fake.calls.find((c) => c.name === "UpdateTask")?.variables).toEqual({ id: "7", input: { batchSize: 10 } })
  })

  it("turns a stopping rule on, and off again by emptying its field", async () => {
    const scenario = { ...taskDetail().scenario, targetAccuracy: 0.9 }
    const fake = open("/tasks/7", {
      TaskDetail: () => ({ task: taskDetail({ scenario }) }),
      UpdateTask: () => ({ updateTask: { id: "7" } }),
    })
    const budget = await screen.findByLabelText("Label budget")
    expect(budget).toHaveValue(null)
    expect(budget).toHaveAttribute("placeholder", "off")
    expect(screen.getByLabelText("Target accuracy")).toHaveValue(0.9)
    expect(screen.getByLabelText("Plateau rounds")).toHaveValue(3)
    await userEvent.type(budget, "300")
    await userEvent.clear(screen.getByLabelText("Target accuracy"))
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }))
    expect(await screen.findByText(/^Saved\./)).toBeInTheDocument()
    expect(fake.calls.find((c) => c.name === "UpdateTask")?.variables).toEqual({
      id: "7",
      input: { labelBudget: 300, targetAccuracy: null },
    })
  })

  it("shows the server's message next to the refused field", async () => {
    open("/tasks/7", {
      UpdateTask: () => serverError("BAD_USER_INPUT", "max_peers must be an integer >= 2; got 1", "max_peers"),
    })
    const max = await screen.findByLabelText("Maximum answers")
    await userEvent.clear(max)
    await userEvent.type(max, "1")
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }))
    expect(await screen.findByTestId("error-maxPeers")).toHaveTextContent("Must be an integer >= 2; got 1")
  })
})

describe("deleting a task", () => {
  it("asks first, and Cancel keeps the task", async () => {
    const fake = open()
    await userEvent.click(await screen.findByRole("button", { name: "Delete task…" }))
    const dialog = screen.getByRole("alertdialog", { name: "Delete “Long sleeves?”?" })
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus()
    await userEvent.keyboard("{Escape}")
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument()
    expect(fake.count("DeleteTask")).toBe(0)
  })

  it("deletes on confirmation and goes back to the list", async () => {
    const fake = open("/tasks/7", {
      DeleteTask: () => ({ deleteTask: true }),
      TaskList: () => ({ tasks: [taskRow({ id: "8", title: "Other" })] }),
    })
    await userEvent.click(await screen.findByRole("button", { name: "Delete task…" }))
    await userEvent.click(screen.getByRole("button", { name: "Delete for good" }))
    expect(await screen.findByRole("heading", { name: "Tasks", level: 1 })).toBeInTheDocument()
    expect(fake.calls.find((c) => c.name === "DeleteTask")?.variables).toEqual({ id: "7" })
  })

  it("keeps the dialog open with the reason when the server refuses", async () => {
    open("/tasks/7", { DeleteTask: () => serverError("FORBIDDEN") })
    await userEvent.click(await screen.findByRole("button", { name: "Delete task…" }))
    await userEvent.click(screen.getByRole("button", { name: "Delete for good" }))
    expect(await within(screen.getByRole("alertdialog")).findByRole("alert")).toHaveTextContent(/needs the admin token/)
  })
})
