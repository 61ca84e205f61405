import { act, fireEvent, screen } from "@testing-library/react-native"
import { AnswerQueue } from "../services/queue/answerQueue"
import { memoryStore } from "../services/storage/keyValue"
import { aBatch, aTask } from "../test/fixtures"
import { fakeClient, serverError } from "../test/fakeClient"
import { renderApp } from "../test/render"

describe("Task screen", () => {
  it("shows cover, description and progress: round, labelled count, latest accuracy", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])

    expect(await screen.findByText("Is the building in the photo collapsed?")).toBeTruthy()
    expect(screen.getByTestId("task-cover")).toBeTruthy()
    expect(screen.getByTestId("stat-round")).toHaveTextContent("2")
    expect(screen.getByTestId("stat-labelled")).toHaveTextContent("60")
    expect(screen.getByTestId("stat-accuracy")).toHaveTextContent("87.4%")
    expect(screen.getByTestId("pool-progress").props.accessibilityValue).toEqual({ min: 0, max: 4270, now: 60 })
    expect(screen.getByText("Batch 3 is ready")).toBeTruthy()
    fireEvent.press(screen.getByTestId("start-labelling"))
    expect(await screen.findByTestId("screen-label")).toBeTruthy()
    expect(await screen.findByTestId("counter")).toHaveTextContent("1 / 3")
  })

  it("turns 'waiting for the next batch' into 'new batch available' when the subscription says so", async () => {
    let task = aTask({ lockedForMe: true })
    const { client, push } = fakeClient({ Task: () => ({ task }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByText("Waiting for the next batch")).toBeTruthy()

    // When other annotators resolve the batch and the next one opens...
    task = aTask({ lockedForMe: false, currentBatch: aBatch("b3", 3) })
    await act(async () =>
      push("TaskEvents", {
        taskEvents: { __typename: "NewBatchAvailable", batch: { __typename: "Batch", id: "b3", number: 3 } },
      }),
    )
    // ...the screen says so without a reload.
    expect(await screen.findByText("New batch available")).toBeTruthy()
    expect(screen.getByTestId("start-labelling")).toBeTruthy()
  })

  it("says nothing is left for me in this batch, and offers the next batch as soon as it opens", async () => {
    let task = aTask({ currentBatch: aBatch("b2", 2, []) })
    const { client, push } = fakeClient({ Task: () => ({ task }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByTestId("state-waiting")).toHaveTextContent(/Nothing left for you in this batch/)
    expect(screen.queryByTestId("start-labelling")).toBeNull()

    task = aTask({ currentBatch: aBatch("b3", 3) })
    await act(async () =>
      push("TaskEvents", {
        taskEvents: { __typename: "NewBatchAvailable", batch: { __typename: "Batch", id: "b3", number: 3 } },
      }),
    )
    expect(await screen.findByText("New batch available")).toBeTruthy()
    expect(screen.getByTestId("start-labelling")).toBeTruthy()
  })

  it("while nothing is left for me, asks again now and then: samples others kept too long come free", async () => {
    jest.useFakeTimers()
    let task = aTask({ currentBatch: aBatch("b2", 2, []) })
    const { client } = fakeClient({ Task: () => ({ task }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByTestId("state-waiting")).toBeTruthy()

    task = aTask({ currentBatch: aBatch("b2", 2, ["s3"]) })
    await act(async () => jest.advanceTimersByTime(60_000))
    expect(await screen.findByTestId("start-labelling")).toBeTruthy()
    expect(screen.getByTestId("state-open")).toHaveTextContent(/1 sample to label/)
    jest.useRealTimers()
  })

  it("counts what I was handed, and lets me finish what I started though the server hands out nothing now", async () => {
    const queue = new AnswerQueue(memoryStore())
    await queue.open("t1", "b2", ["b2-s1", "b2-s2"])
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    const { client } = fakeClient({ Task: () => ({ task: aTask({ currentBatch: aBatch("b2", 2, []) }) }) })
    renderApp(client, [{ name: "task", taskId: "t1" }], queue)
    expect(await screen.findByText("Continue (1 / 2)")).toBeTruthy()
    expect(screen.queryByTestId("state-waiting")).toBeNull()
  })

  it("falls back to asking every few seconds when the server refuses the live subscription", async () => {
    jest.useFakeTimers()
    let task = aTask({ lockedForMe: true })
    const { client, fail } = fakeClient({ Task: () => ({ task }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByText("Waiting for the next batch")).toBeTruthy()

    await act(async () => fail("TaskEvents", "The subscription operation is not supported by the schema."))
    task = aTask({ lockedForMe: false, currentBatch: aBatch("b3", 3) })
    await act(async () => jest.advanceTimersByTime(15_000))
    expect(await screen.findByText("New batch available")).toBeTruthy()
    jest.useRealTimers()
  })

  it.each([
    ["TRAINING", "Training the model…"],
    ["FINISHED", "Task finished"],
    ["FAILED", "Training failed"],
  ] as const)("shows %s plainly", async (status, title) => {
    const task = aTask({ status, lockedForMe: true, currentBatch: null, lastError: "out of memory" })
    const { client } = fakeClient({ Task: () => ({ task }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByText(title)).toBeTruthy()
    if (status === "FAILED") expect(screen.getByText("out of memory")).toBeTruthy()
    expect(screen.queryByTestId("start-labelling")).toBeNull()
  })

  it("shows answers still waiting on the phone, and sends them on request", async () => {
    const queue = new AnswerQueue(memoryStore(), {
      transport: async () => ({ kind: "network" }),
      schedule: () => () => {},
    })
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    await queue.submit("t1", "b2")
    const { client, calls } = fakeClient({
      Task: () => ({ task: aTask() }),
      SubmitAnswers: () => new Error("Failed to fetch"),
    })
    renderApp(client, [{ name: "task", taskId: "t1" }], queue)

    expect(await screen.findByText("Answers saved on this phone")).toBeTruthy()
    expect(screen.getByTestId("connection-strip")).toHaveTextContent(/1 answer saved on this phone/)
    fireEvent.press(screen.getByTestId("retry-now"))
    await act(async () => queue.settled())
    expect(calls.filter((c) => c.name === "SubmitAnswers").length).toBeGreaterThanOrEqual(1)
  })

  it("says a batch closed while I was away, and asks the server at once instead of offering it (bug 5)", async () => {
    // Given answers to batch 3 queued offline, and the task as it was known then
    const queue = new AnswerQueue(memoryStore(), { schedule: () => () => {} })
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    await queue.submit("t1", "b2")
    let task = aTask()
    let online = false
    const { client } = fakeClient({
      Task: () => ({ task }),
      SubmitAnswers: () =>
        online ? serverError("CONFLICT", "batch 2 is no longer open; fetch the current batch") : new Error("offline"),
    })
    renderApp(client, [{ name: "task", taskId: "t1" }], queue)
    expect(await screen.findByText("Answers saved on this phone")).toBeTruthy()

    // When the others finished batch 3 meanwhile and the queued answers are refused
    task = aTask({ currentBatch: aBatch("b3", 3) })
    online = true
    fireEvent.press(screen.getByTestId("retry-now"))

    // Then the app says why in its own words, and offers the batch that is open now
    expect(await screen.findByText("Batch closed while you were away")).toBeTruthy()
    expect(screen.getByTestId("rejected")).toHaveTextContent(/finished this batch while you were offline/)
    expect(await screen.findByText("New batch available")).toBeTruthy()
    expect(screen.queryByText("Batch 3 is ready")).toBeNull()
  })

  it("says what I answered in the batch, read from the server (the phone may have restarted)", async () => {
    const batch = aBatch()
    batch.myAnswers = ["s1", "s2", "s3"].map((sid, i) => ({
      __typename: "MyAnswer" as const,
      sampleId: `b2-${sid}`,
      label: i === 1 ? "no" : "yes",
    }))
    const { client } = fakeClient({ Task: () => ({ task: aTask({ lockedForMe: true, currentBatch: batch }) }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByTestId("my-answers")).toHaveTextContent("You answered: Yes × 2 · No × 1")
  })

  it("says nothing of my answers before I have given any", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask({ lockedForMe: true }) }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByTestId("state-locked")).toBeTruthy()
    expect(screen.queryByTestId("my-answers")).toBeNull()
  })

  it("never says the screen updates by itself while the strip says live updates are paused (bug 6)", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask({ lockedForMe: true }) }) })
    const { setConnection } = renderApp(client, [{ name: "task", taskId: "t1" }], undefined, {
      epoch: 0,
      connected: false,
      online: true,
    })
    expect(await screen.findByText("Waiting for the next batch")).toBeTruthy()
    expect(screen.getByTestId("connection-strip")).toHaveTextContent(/Live updates paused/)
    expect(screen.getByTestId("state-locked")).toHaveTextContent(/your answers are in/)
    expect(screen.getByTestId("state-locked")).not.toHaveTextContent(/updates by itself/)
    expect(screen.getByTestId("state-locked")).toHaveTextContent(/checks for the next batch every 15 seconds/)

    // Once the live link is back, both say so.
    await act(async () => setConnection({ epoch: 1, connected: true, online: true }))
    expect(screen.queryByTestId("connection-strip")).toBeNull()
    expect(screen.getByTestId("state-locked")).toHaveTextContent(/updates by itself/)
  })

  it("says it is offline, not reconnecting, when the device has no network", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask({ lockedForMe: true }) }) })
    renderApp(client, [{ name: "task", taskId: "t1" }], undefined, { epoch: 0, connected: false, online: false })
    expect(await screen.findByTestId("connection-strip")).toHaveTextContent(/Offline/)
  })
})
