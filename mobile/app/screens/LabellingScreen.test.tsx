import { act, fireEvent, screen } from "@testing-library/react-native"
import { Image } from "react-native"
import { setLocale } from "../i18n"
import { AnswerQueue } from "../services/queue/answerQueue"
import { memoryStore } from "../services/storage/keyValue"
import { aBatch, aTask } from "../test/fixtures"
import { fakeClient, serverError, STALL } from "../test/fakeClient"
import { renderApp } from "../test/render"

/** The server's reply when it takes a batch of answers. */
const accepted = (n: number, counted = n) => ({
  submitAnswers: {
    __typename: "SubmitAnswersPayload",
    accepted: n,
    counted,
    task: { __typename: "Task", id: "t1", status: "COLLECTING", lockedForMe: true },
  },
})

const route = [
  { name: "task" as const, taskId: "t1" },
  { name: "label" as const, taskId: "t1" },
]

/** The current sample's image arrives, and the annotator takes a good look at it. */
async function look() {
  fireEvent(await screen.findByTestId("sample-full-image"), "load", { nativeEvent: { source: { width: 640 } } })
  await act(async () => jest.advanceTimersByTime(400))
}

/** Answer the samples `n` (their counter, e.g. 1 / 3), looking at each first. */
async function answerAll(label: string, total = 3) {
  for (let n = 1; n <= total; n++) {
    expect(await screen.findByText(`${n} / ${total}`)).toBeTruthy()
    await look()
    fireEvent.press(screen.getByText(label))
  }
}

beforeEach(() => jest.useFakeTimers())
afterEach(() => jest.useRealTimers())

describe("Labelling", () => {
  it("walks a batch one sample at a time with Yes/No, back/undo, a counter, and submits at the end", async () => {
    jest.setSystemTime(new Date("2026-05-04T08:30:00Z"))
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
    await look()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()

    // Back to the first sample: the given answer is marked, and a new tap replaces it.
    fireEvent.press(screen.getByTestId("previous"))
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    expect(screen.getByTestId("answer-yes")).toBeSelected()
    await look()
    fireEvent.press(screen.getByText("No"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()
    await look()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("3 / 3")).toBeTruthy()
    await look()
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
      // When the batch was first on screen (answering it took seconds), not when it was sent.
      openedAt: expect.stringMatching(/^2026-05-04T08:30:00\.\d{3}Z$/),
    })
  })

  it("shows only the samples handed out to me, and sends only their answers", async () => {
    const { client, calls } = fakeClient({
      Task: () => ({ task: aTask({ currentBatch: aBatch("b2", 2, ["s2", "s3"]) }) }),
      SubmitAnswers: () => accepted(2),
    })
    renderApp(client, route)
    expect(await screen.findByText("1 / 2")).toBeTruthy()
    await answerAll("Yes", 2)
    expect(await screen.findByText("All 2 samples answered")).toBeTruthy()
    fireEvent.press(screen.getByTestId("submit"))
    expect(await screen.findByTestId("screen-task")).toBeTruthy()
    const sent = calls.find((c) => c.name === "SubmitAnswers")?.variables.answers as { sampleId: string }[]
    expect(sent.map((a) => a.sampleId)).toEqual(["b2-s2", "b2-s3"])
  })

  it("keeps the samples it first showed when a later fetch hands out others", async () => {
    let task = aTask({ currentBatch: aBatch("b2", 2, ["s1", "s2"]) })
    const { client } = fakeClient({ Task: () => ({ task }) })
    const { queue, setConnection } = renderApp(client, route, undefined, { epoch: 0, connected: true, online: true })
    expect(await screen.findByText("1 / 2")).toBeTruthy()
    await look()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("2 / 2")).toBeTruthy()

    // The server hands out s2 and s3 now (my lease on s1 ended with nothing sent yet): I go on with s2.
    task = aTask({ currentBatch: aBatch("b2", 2, ["s2", "s3"]) })
    await act(async () => setConnection({ epoch: 1, connected: true, online: true }))
    expect(screen.getByTestId("counter")).toHaveTextContent("2 / 2")
    await look()
    fireEvent.press(screen.getByText("No"))
    expect(await screen.findByText("All 2 samples answered")).toBeTruthy()
    expect(await queue.draft("t1", "b2")).toEqual([
      { sampleId: "b2-s1", label: "yes" },
      { sampleId: "b2-s2", label: "no" },
    ])
  })

  it("after a restart, sends the time the batch was first opened, not the time it was resumed", async () => {
    const store = memoryStore()
    const before = new AnswerQueue(store, { now: () => Date.parse("2026-05-04T08:00:00Z") })
    await before.open("t1", "b2", ["b2-s1", "b2-s2", "b2-s3"])
    await before.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    jest.setSystemTime(new Date("2026-05-04T08:20:00Z"))
    const { client, calls } = fakeClient({ Task: () => ({ task: aTask() }), SubmitAnswers: () => accepted(3) })
    renderApp(client, route, new AnswerQueue(store))
    expect(await screen.findByText("2 / 3")).toBeTruthy()
    await look()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("3 / 3")).toBeTruthy()
    await look()
    fireEvent.press(screen.getByText("Yes"))
    fireEvent.press(await screen.findByTestId("submit"))
    expect(await screen.findByTestId("screen-task")).toBeTruthy()
    expect(calls.find((c) => c.name === "SubmitAnswers")?.variables.openedAt).toBe("2026-05-04T08:00:00.000Z")
  })

  it("says plainly, not as an error, when answers arrived after the crowd had decided", async () => {
    const { client } = fakeClient({
      Task: () => ({ task: aTask() }),
      SubmitAnswers: () => accepted(3, 0),
    })
    renderApp(client, route)
    await answerAll("Yes")
    fireEvent.press(await screen.findByTestId("submit"))
    expect(await screen.findByTestId("answers-late")).toHaveTextContent(
      /3 of your answers arrived after the crowd had decided; they still help us judge quality\./,
    )
    expect(screen.queryByTestId("rejected")).toBeNull()
    await act(async () => fireEvent.press(screen.getByText("OK")))
    expect(screen.queryByTestId("answers-late")).toBeNull()
  })

  it("says nothing when every answer counted", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask() }), SubmitAnswers: () => accepted(3) })
    renderApp(client, route)
    await answerAll("Yes")
    fireEvent.press(await screen.findByTestId("submit"))
    expect(await screen.findByTestId("screen-task")).toBeTruthy()
    await act(async () => jest.advanceTimersByTime(10))
    expect(screen.queryByTestId("answers-late")).toBeNull()
  })

  it("asks the server again every 4 minutes while I label, so it keeps my samples for me (its hold lasts 5)", async () => {
    const { client, calls } = fakeClient({ Task: () => ({ task: aTask() }) })
    renderApp(client, route)
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    const asked = () => calls.filter((c) => c.name === "Task").length
    const before = asked()
    await act(async () => jest.advanceTimersByTime(4 * 60_000))
    expect(asked()).toBe(before + 1)
  })

  it("offers nothing to label when nothing in the open batch is left for me", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask({ currentBatch: aBatch("b2", 2, []) }) }) })
    renderApp(client, route)
    expect(await screen.findByTestId("label-nothing-left")).toHaveTextContent(/Nothing left for you in this batch/)
    expect(screen.queryByTestId("counter")).toBeNull()
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
        assigned: [{ id: "x1" }],
        myAnswers: [],
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
    await answerAll("Yes")
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
    await answerAll("No")
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
    await answerAll("Yes")
    fireEvent.press(await screen.findByTestId("submit"))

    // Then the task screen says the answers are in, and does not offer the batch just answered
    expect(await screen.findByText("Waiting for the next batch")).toBeTruthy()
    expect(screen.queryByTestId("start-labelling")).toBeNull()
  })

  it("keeps the answers inactive until the image is shown, and ignores taps meanwhile (bug 1)", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    const { queue } = renderApp(client, route)
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    expect(screen.getByTestId("answer-yes")).toBeDisabled()

    // Offline, the image cannot come: a tap on Yes is no answer, and the screen says what to do.
    fireEvent(screen.getByTestId("sample-full-image"), "error")
    expect(await screen.findByText(/could not be loaded/)).toBeTruthy()
    fireEvent.press(screen.getByTestId("answer-yes"))
    await act(async () => jest.advanceTimersByTime(1_000))
    expect(screen.getByTestId("counter")).toHaveTextContent("1 / 3")
    expect(await queue.draft("t1", "b2")).toEqual([])

    // A tap on the image tries again; once it shows, the answer counts.
    fireEvent.press(screen.getByTestId("image-retry"))
    expect(screen.queryByText(/could not be loaded/)).toBeNull()
    await look()
    expect(screen.getByTestId("answer-yes")).toBeEnabled()
    fireEvent.press(screen.getByTestId("answer-yes"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()
  })

  it("tries a failed image again by itself when the connection comes back (bug 1)", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    const { setConnection } = renderApp(client, route, undefined, { epoch: 0, connected: false, online: false })
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    // The labelling screen says it is offline, where the annotator looks.
    expect(screen.getByTestId("connection-strip")).toHaveTextContent(/Offline/)
    fireEvent(screen.getByTestId("sample-full-image"), "error")
    expect(await screen.findByText(/could not be loaded/)).toBeTruthy()

    await act(async () => setConnection({ epoch: 1, connected: true, online: true }))
    expect(screen.queryByText(/could not be loaded/)).toBeNull()
    expect(screen.queryByTestId("connection-strip")).toBeNull()
    await look()
    expect(screen.getByTestId("answer-yes")).toBeEnabled()
  })

  it("fetches the whole batch when it opens: every preview first, then the full images (bug 1)", async () => {
    const fetched: string[] = []
    const spy = jest.spyOn(Image, "prefetch").mockImplementation(async (url: string) => {
      fetched.push(url)
      return true
    })
    // (a batch of its own: images the other tests loaded need no fetching)
    const { client } = fakeClient({ Task: () => ({ task: aTask({ currentBatch: aBatch("b8", 8) }) }) })
    renderApp(client, route)
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    await act(async () => jest.advanceTimersByTime(10))
    const kind = (u: string) => (/[?&]w=64(&|$)/.test(u) ? "preview" : "full")
    expect(fetched.map((u) => `${u.match(/s\d/)?.[0]} ${kind(u)}`)).toEqual([
      "s1 preview",
      "s2 preview",
      "s3 preview",
      "s1 full",
      "s2 full",
      "s3 full",
    ])
    spy.mockRestore()
  })

  it("ignores a second tap until the next image has been on screen long enough to be seen (bug 3)", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    const { queue } = renderApp(client, route)
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    await look()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()

    // A double tap: the second lands on sample 2 before its image is on screen...
    fireEvent.press(screen.getByText("Yes"))
    // ...or 120 ms after the first, when the image came from the cache at once.
    fireEvent(screen.getByTestId("sample-full-image"), "load")
    await act(async () => jest.advanceTimersByTime(120))
    fireEvent.press(screen.getByText("Yes"))
    await act(async () => jest.advanceTimersByTime(10))
    expect(screen.getByTestId("counter")).toHaveTextContent("2 / 3")
    expect((await queue.draft("t1", "b2")).map((a) => a.sampleId)).toEqual(["b2-s1"])

    // A deliberate tap once the photo could be seen counts.
    await act(async () => jest.advanceTimersByTime(300))
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("3 / 3")).toBeTruthy()
  })

  it("asks the question in large type, marks and announces the answer, and undoes it visibly", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask({ labels: ["collapsed", "not_collapsed"] }) }) })
    const { queue } = renderApp(client, route)
    expect(await screen.findByTestId("question")).toHaveTextContent("Collapsed?")
    expect(screen.getByTestId("sample-full-image").props.accessibilityLabel).toBe("Photo 1 of 3: Collapsed?")
    expect(screen.getByTestId("progress").props.accessibilityValue).toEqual({ min: 0, max: 3, now: 0 })
    expect(screen.getByTestId("undo")).toBeDisabled()

    await look()
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()
    expect(screen.getByTestId("saved-note")).toHaveTextContent("Photo 1: Yes, saved")
    expect(screen.getByTestId("progress").props.accessibilityValue).toEqual({ min: 0, max: 3, now: 1 })

    // Undo takes the answer back and returns to its photo, where nothing is marked any more.
    fireEvent.press(screen.getByTestId("undo"))
    expect(await screen.findByText("1 / 3")).toBeTruthy()
    expect(await queue.draft("t1", "b2")).toEqual([])
    expect(screen.getByTestId("answer-collapsed")).not.toBeSelected()

    // Back on an answered photo, the chosen answer carries a mark a screen reader says too.
    await look()
    fireEvent.press(screen.getByText("No"))
    fireEvent.press(await screen.findByTestId("previous"))
    expect(await screen.findByTestId("answer-not_collapsed")).toBeSelected()
    expect(screen.getByTestId("chosen-mark")).toBeTruthy()
    expect(screen.getByTestId("answer-not_collapsed").props.accessibilityLabel).toMatch(/chosen/)
  })

  it("speaks Greek on a Greek phone, plurals and all", async () => {
    setLocale("el")
    try {
      const { client } = fakeClient({ Task: () => ({ task: aTask({ labels: ["collapsed", "not_collapsed"] }) }) })
      renderApp(client, route)
      expect(await screen.findByTestId("question")).toHaveTextContent("Collapsed;")
      expect(screen.getByText("Ναι")).toBeTruthy()
      expect(screen.getByText("Όχι")).toBeTruthy()
      expect(screen.getByText("↶ Αναίρεση τελευταίας")).toBeTruthy()
      await answerAll("Ναι")
      expect(await screen.findByText("Απαντήθηκαν και τα 3 δείγματα")).toBeTruthy()
      expect(screen.getByText("Αποστολή απαντήσεων")).toBeTruthy()
    } finally {
      setLocale("en")
    }
  })
})

describe("Labelling: the photo full screen", () => {
  const scaleOf = () => {
    const style = [screen.getByTestId("photo-viewer-image").props.style].flat(Infinity) as {
      transform?: { scale?: number }[]
    }[]
    const transform = style.find((s) => s?.transform)?.transform ?? []
    return transform.find((t) => t.scale !== undefined)?.scale
  }

  it("opens on a tap on the photo or the Zoom button, zooms in to the full-size image, and closes", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    renderApp(client, route)
    await look()
    fireEvent.press(screen.getByTestId("sample-open"))
    expect(screen.getByTestId("photo-viewer")).toBeTruthy()
    // At first the photo as shown (already loaded), not a second download.
    expect(screen.getByTestId("photo-viewer-image").props.source.uri).toMatch(/[?&]w=\d+/)
    expect(scaleOf()).toBe(1)

    fireEvent.press(screen.getByTestId("photo-viewer-zoom"))
    expect(scaleOf()).toBeGreaterThan(1)
    expect(screen.getByTestId("photo-viewer-image").props.source.uri).toBe("http://test/media/b2-s1.jpg?sig=abc&exp=1")

    fireEvent.press(screen.getByTestId("photo-viewer-close"))
    expect(screen.queryByTestId("photo-viewer")).toBeNull()
    fireEvent.press(screen.getByRole("button", { name: "Zoom" }))
    expect(screen.getByTestId("photo-viewer")).toBeTruthy()
  })

  it("takes no answer while the photo is open full screen", async () => {
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    renderApp(client, route)
    await look()
    fireEvent.press(screen.getByTestId("zoom"))
    fireEvent.press(screen.getByText("Yes"))
    await act(async () => jest.advanceTimersByTime(400))
    expect(screen.getByTestId("counter")).toHaveTextContent("1 / 3")
    fireEvent.press(screen.getByTestId("photo-viewer-close"))
    await act(async () => jest.advanceTimersByTime(400))
    fireEvent.press(screen.getByText("Yes"))
    expect(await screen.findByText("2 / 3")).toBeTruthy()
  })
})
