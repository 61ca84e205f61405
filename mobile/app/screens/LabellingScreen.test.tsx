import { act, fireEvent, screen } from "@testing-library/react-native"
import { AnswerQueue } from "../services/queue/answerQueue"
import { memoryStore } from "../services/storage/keyValue"
import { aTask } from "../test/fixtures"
import { fakeClient, serverError, STALL } from "../test/fakeClient"
import { renderApp } from "../test/render"

/** The server's reply when it takes a batch of answers. */
const accepted = (n: number) => ({
  submitAnswers: {
    __typename: "SubmitAnswersPayload",
    accepted: n,
    task: { __typename: "Task", id: "t1", status: "COLLECTING", lockedForMe: true },
  },
})

const route = [
  { name: "task" as const, taskId: "t1" },
  { name: "label" as const, taskId: "t1" },
]

describe("Labelling", () => {
  it("walks a batch one sample at a time with Yes/No, back/undo, a counter, and submits at the end", async () => {
    let task = aTask()
    const { client, calls } = fakeClient({
      Task: () => ({ task }),
      SubmitAnswers: () => {
        task = aTask({ lockedForMe: true })
        return accepted(3)
      },
    })
    const { queue } = renderApp(client, route)

    expect(await screen.findByTestId("counter")).toHaveTextContent("1 / 3")
    expect(screen.getByTestId("sample-image")).toBeTruthy()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()

    // Back to the first sample: the given answer is marked, and a new tap replaces it.
    fireEvent.press(screen.getByTestId("previous"))
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    expect(screen.getByTestId("answer-yes")).toBeSelected()
    fireEvent.press(screen.getByText("No"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("3 / 3")).toBeTruthy()
    fireEvent.press(screen.getByText("Yes"))

    expect(await screen.findByText("All 3 samples answered")).toBeTruthy()
    expect(await queue.draft("t1", "b2")).toHaveLength(3)
    fireEvent.press(screen.getByTestId("submit"))

    expect(await screen.findByText("Waiting for the next batch")).toBeTruthy()
    expect(calls.find((c) => c.name === "SubmitAnswers")?.variables).toEqual({
      taskId: "t1",
      batchId: "b2",
      answers: [
        { sampleId: "b2-s1", label: "no" },
        { sampleId: "b2-s2", label: "yes" },
        { sampleId: "b2-s3", label: "yes" },
      ],
    })
  })

  it("resumes a saved draft where it left off", async () => {
    const queue = new AnswerQueue(memoryStore())
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    await queue.answer("t1", "b2", { sampleId: "b2-s2", label: "no" })
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    renderApp(client, route, queue)
    expect(await screen.findByText("3 / 3")).toBeTruthy()
  })

  it("shows one button per label for a multi-class task, and text samples as text", async () => {
    const task = aTask({
      subcategory: "MULTICLASS_CLASSIFICATION",
      labels: ["rescue_needed", "infrastructure", "other"],
      currentBatch: {
        id: "b7",
        number: 7,
        samples: [{ id: "x1", mediaUrl: null, text: "Bridge on route 5 is down" }],
      },
    })
    const { client } = fakeClient({ Task: () => ({ task }) })
    renderApp(client, route)
    expect(await screen.findByText("Bridge on route 5 is down")).toBeTruthy()
    expect(screen.getByText("Rescue needed")).toBeTruthy()
    expect(screen.getByText("Infrastructure")).toBeTruthy()
    expect(screen.getByText("Other")).toBeTruthy()
    expect(screen.getByTestId("counter")).toHaveTextContent("1 / 1")
  })

  it("keeps the answers on the phone when the network fails during submit", async () => {
    let online = true
    const offline = () => new Error("Failed to fetch")
    const { client } = fakeClient({ Task: () => (online ? { task: aTask() } : offline()), SubmitAnswers: offline })
    const queue = new AnswerQueue(memoryStore(), { schedule: () => () => {} })
    renderApp(client, route, queue)
    for (const n of [1, 2, 3]) {
      expect(await screen.findByText(`${n} / 3`)).toBeTruthy()
      fireEvent.press(screen.getByText("Yes"))
    }
    // The network goes away before the submit: the task screen still shows what it last knew.
    online = false
    fireEvent.press(await screen.findByTestId("submit"))
    expect(await screen.findByText("Answers saved on this phone")).toBeTruthy()
    expect((await queue.pending()).map((s) => s.answers.length)).toEqual([3])
  })

  it("explains a refusal from the server in plain words", async () => {
    const { client } = fakeClient({
      Task: () => ({ task: aTask() }),
      SubmitAnswers: () => serverError("TASK_LOCKED", "stale batch"),
    })
    renderApp(client, route)
    for (const n of [1, 2, 3]) {
      expect(await screen.findByText(`${n} / 3`)).toBeTruthy()
      fireEvent.press(screen.getByText("No"))
    }
    fireEvent.press(await screen.findByTestId("submit"))
    expect(await screen.findByText("Answers not accepted")).toBeTruthy()
    expect(screen.getByText("This batch is closed: the task moved on before your answers arrived.")).toBeTruthy()
    await act(async () => fireEvent.press(screen.getByText("OK")))
    expect(screen.queryByText("Answers not accepted")).toBeNull()
  })

  it("shows the batch as answered right after submitting, before the server's fresh task arrives (bug 4)", async () => {
    // Given a slow network: once the answers are in, the task's refetch is still on its way
    let submitted = false
    const { client } = fakeClient({
      Task: () => (submitted ? STALL : { task: aTask() }),
      SubmitAnswers: () => {
        submitted = true
        return accepted(3)
      },
    })
    renderApp(client, route)
    for (const n of [1, 2, 3]) {
      expect(await screen.findByText(`${n} / 3`)).toBeTruthy()
      fireEvent.press(screen.getByText("Yes"))
    }
    fireEvent.press(await screen.findByTestId("submit"))

    // Then the task screen says the answers are in, and does not offer the batch just answered
    expect(await screen.findByText("Waiting for the next batch")).toBeTruthy()
    expect(screen.queryByTestId("start-labelling")).toBeNull()
  })
})
