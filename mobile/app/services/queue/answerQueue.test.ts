import type { SubmitResult } from "../api/submit"
import { memoryStore } from "../storage/keyValue"
import { AnswerQueue, type Submission } from "./answerQueue"

/** A transport that answers from a script and records every payload it was given. */
function fakeTransport(...script: SubmitResult[]) {
  const sent: Submission[] = []
  const transport = jest.fn(async (s: Submission) => {
    sent.push(JSON.parse(JSON.stringify(s)))
    return script.shift() ?? { kind: "ok" as const, accepted: s.answers.length, counted: s.answers.length }
  })
  return { transport, sent }
}

/** A scheduler that only runs timers when the test says so. */
function manualClock() {
  const timers: { run: () => void; ms: number }[] = []
  return {
    timers,
    schedule: (run: () => void, ms: number) => {
      const t = { run, ms }
      timers.push(t)
      return () => void timers.splice(timers.indexOf(t), 1)
    },
  }
}

const yes = (n: number) => ({ sampleId: `s${n}`, label: "yes" })

describe("AnswerQueue", () => {
  it("keeps each answer on the device as soon as it is given", async () => {
    const store = memoryStore()
    const queue = new AnswerQueue(store)
    await queue.answer("t1", "b1", yes(1))
    await queue.answer("t1", "b1", { sampleId: "s2", label: "no" })

    // Given the app is closed and opened again, the answers are still there.
    const reopened = new AnswerQueue(store)
    expect(await reopened.draft("t1", "b1")).toEqual([yes(1), { sampleId: "s2", label: "no" }])
  })

  it("replaces an answer in place when a sample is answered again, and undoes one", async () => {
    const queue = new AnswerQueue(memoryStore())
    await queue.answer("t1", "b1", yes(1))
    await queue.answer("t1", "b1", yes(2))
    await queue.answer("t1", "b1", { sampleId: "s1", label: "no" })
    expect(await queue.draft("t1", "b1")).toEqual([{ sampleId: "s1", label: "no" }, yes(2)])
    expect(await queue.unanswer("t1", "b1", "s2")).toEqual([{ sampleId: "s1", label: "no" }])
  })

  it("loses no answer when taps come faster than storage", async () => {
    const queue = new AnswerQueue(memoryStore())
    await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => queue.answer("t1", "b1", yes(n))))
    expect((await queue.draft("t1", "b1")).map((a) => a.sampleId)).toEqual([
      "s1",
      "s2",
      "s3",
      "s4",
      "s5",
      "s6",
      "s7",
      "s8",
    ])
  })

  it("sends a batch once and clears it when the server accepts", async () => {
    const { transport, sent } = fakeTransport()
    const queue = new AnswerQueue(memoryStore(), { transport })
    await queue.answer("t1", "b1", yes(1))
    await queue.answer("t1", "b1", yes(2))

    expect(await queue.submit("t1", "b1")).toEqual({ kind: "sent", accepted: 2, counted: 2 })
    expect(sent.map((s) => s.answers)).toEqual([[yes(1), yes(2)]])
    expect(await queue.pending()).toEqual([])
    expect(await queue.draft("t1", "b1")).toEqual([])
  })

  it("keeps a submission that fails for the network and retries it with the identical payload", async () => {
    const clock = manualClock()
    const store = memoryStore()
    const { transport, sent } = fakeTransport({ kind: "network" }, { kind: "network" })
    const queue = new AnswerQueue(store, { transport, schedule: clock.schedule, now: () => 1000 })
    await queue.answer("t1", "b1", yes(1))

    // When the network is down, the answers stay queued, on the device.
    expect(await queue.submit("t1", "b1")).toEqual({ kind: "queued", problem: { kind: "network" } })
    expect(await new AnswerQueue(store).pending()).toHaveLength(1)
    expect(clock.timers.map((t) => t.ms)).toEqual([2000])

    // Then each retry backs off, and the one that gets through carries the same answers.
    clock.timers[0].run()
    await queue.settled()
    expect(clock.timers.map((t) => t.ms)).toEqual([4000])
    clock.timers[0].run()
    await queue.settled()
    expect(sent).toHaveLength(3)
    expect(sent.map(({ taskId, batchId, answers }) => ({ taskId, batchId, answers }))).toEqual(
      Array(3).fill({ taskId: "t1", batchId: "b1", answers: [yes(1)] }),
    )
    expect(await queue.pending()).toEqual([])
  })

  it("survives an app restart: a new queue sends what the old one could not", async () => {
    const store = memoryStore()
    const offline = new AnswerQueue(store, { transport: async () => ({ kind: "network" }), schedule: () => () => {} })
    await offline.answer("t1", "b1", yes(1))
    await offline.submit("t1", "b1")
    offline.dispose()

    const { transport, sent } = fakeTransport()
    const restarted = new AnswerQueue(store)
    const events: string[] = []
    restarted.subscribe((e) => events.push(e.type))
    restarted.setTransport(transport)
    await restarted.settled()
    expect(sent.map((s) => s.answers)).toEqual([[yes(1)]])
    expect(events).toContain("sent")
    expect(await restarted.pending()).toEqual([])
  })

  it("drops a submission the server refuses and reports the problem plainly", async () => {
    const refusal = { kind: "server" as const, code: "TASK_LOCKED" as const, message: "batch closed" }
    const { transport } = fakeTransport(refusal)
    const queue = new AnswerQueue(memoryStore(), { transport })
    const rejected: string[] = []
    queue.subscribe((e) => e.type === "rejected" && rejected.push(e.problem.kind === "server" ? e.problem.code : ""))
    await queue.answer("t1", "b1", yes(1))

    expect(await queue.submit("t1", "b1")).toEqual({ kind: "rejected", problem: refusal })
    expect(rejected).toEqual(["TASK_LOCKED"])
    expect(await queue.pending()).toEqual([])
  })

  it("retries when the server itself fails (INTERNAL)", async () => {
    const clock = manualClock()
    const { transport } = fakeTransport({ kind: "server", code: "INTERNAL", message: "boom" })
    const queue = new AnswerQueue(memoryStore(), { transport, schedule: clock.schedule })
    await queue.answer("t1", "b1", yes(1))
    expect((await queue.submit("t1", "b1")).kind).toBe("queued")
    clock.timers[0].run()
    await queue.settled()
    expect(await queue.pending()).toEqual([])
  })

  it("keeps the order of batches and stops at the first network failure", async () => {
    const clock = manualClock()
    const { transport, sent } = fakeTransport({ kind: "network" })
    const queue = new AnswerQueue(memoryStore(), { schedule: clock.schedule })
    await queue.answer("t1", "b1", yes(1))
    await queue.submit("t1", "b1")
    await queue.answer("t2", "b9", yes(2))
    await queue.submit("t2", "b9")
    expect((await queue.pending()).map((s) => s.batchId)).toEqual(["b1", "b9"])

    queue.setTransport(transport)
    await queue.settled()
    expect(sent.map((s) => s.batchId)).toEqual(["b1"])
    await queue.flush()
    expect(sent.map((s) => s.batchId)).toEqual(["b1", "b1", "b9"])
  })

  it("never replaces a queued payload: submitting the same batch again keeps the first answers", async () => {
    const queue = new AnswerQueue(memoryStore(), { schedule: () => () => {} })
    await queue.answer("t1", "b1", yes(1))
    await queue.submit("t1", "b1")
    await queue.answer("t1", "b1", { sampleId: "s1", label: "no" })
    await queue.submit("t1", "b1")
    expect((await queue.pending()).map((s) => s.answers)).toEqual([[yes(1)]])
  })

  it("keeps the outbox when the sign-in is refused, without retrying, until it is set aside", async () => {
    const clock = manualClock()
    const refused = { kind: "server" as const, code: "UNAUTHENTICATED" as const, message: "unknown token" }
    const { transport, sent } = fakeTransport(refused, refused)
    const queue = new AnswerQueue(memoryStore(), { transport, schedule: clock.schedule })
    const events: string[] = []
    queue.subscribe((e) => void events.push(e.type))
    await queue.answer("t1", "b1", yes(1))
    await queue.answer("t1", "b2", yes(2))

    expect((await queue.submit("t1", "b1")).kind).toBe("queued")
    expect(events).toContain("unauthenticated")
    expect(clock.timers).toHaveLength(0) // no retry with a dead token
    await queue.submit("t1", "b2")
    expect(await queue.setAside()).toEqual({ unsent: 2, unfinished: 0 })
    expect(await queue.pending()).toEqual([])
    expect((await queue.unsent()).map((s) => s.batchId)).toEqual(["b1", "b2"])
    expect(sent.map((s) => s.batchId)).toEqual(["b1", "b1"]) // b2 stopped behind the refusal
  })

  it("once set aside, takes no answer, sends nothing, and counts the unfinished batch it keeps", async () => {
    const refused = {
      kind: "server" as const,
      code: "UNAUTHENTICATED" as const,
      message: "this annotator is suspended: spam",
    }
    const { transport, sent } = fakeTransport(refused)
    const queue = new AnswerQueue(memoryStore(), { transport, schedule: () => () => {} })
    const messages: string[] = []
    queue.subscribe((e) => void (e.type === "unauthenticated" && messages.push(e.message)))
    await queue.answer("t1", "b1", yes(1))
    await queue.submit("t1", "b1")
    expect(messages).toEqual(["this annotator is suspended: spam"])
    await queue.answer("t1", "b2", yes(2))
    await queue.answer("t1", "b2", yes(3))

    expect(await queue.setAside()).toEqual({ unsent: 1, unfinished: 2 })
    // An answer or a submit after the refusal is no answer: nothing written, nothing sent.
    expect(await queue.answer("t1", "b2", yes(4))).toEqual([yes(2), yes(3)])
    expect(await queue.submit("t1", "b2")).toMatchObject({ kind: "rejected", problem: { code: "UNAUTHENTICATED" } })
    expect(await queue.draft("t1", "b2")).toEqual([yes(2), yes(3)])
    await queue.flush()
    expect(sent.map((s) => s.batchId)).toEqual(["b1"])
    expect(await queue.pending()).toEqual([])
  })
})

describe("AnswerQueue on a shared phone", () => {
  it("keeps each annotator's drafts and outbox to themselves (bug 2)", async () => {
    const phone = memoryStore()
    const amina = new AnswerQueue(phone, { owner: "amina", schedule: () => () => {} })
    await amina.answer("t1", "b1", yes(1))
    await amina.answer("t1", "b2", yes(2))
    await amina.submit("t1", "b2")

    // Another annotator on the same phone sees none of it, and sends none of it.
    const { transport, sent } = fakeTransport()
    const bo = new AnswerQueue(phone, { owner: "bo", transport })
    expect(await bo.draft("t1", "b1")).toEqual([])
    expect(await bo.pending()).toEqual([])
    await bo.flush()
    expect(sent).toEqual([])

    // Amina's are still hers; signing out deletes her unfinished drafts, not her outbox.
    expect(await amina.draftedAnswers()).toBe(1)
    await amina.forgetDrafts()
    expect(await amina.draftedAnswers()).toBe(0)
    expect(await amina.draft("t1", "b1")).toEqual([])
    expect(await amina.pending()).toHaveLength(1)
  })
})

describe("AnswerQueue: the batch as this sign-in first opened it", () => {
  const at = Date.parse("2026-05-04T08:30:00Z")

  it("records when a batch was first opened and which samples it showed, and keeps both over a restart", async () => {
    const store = memoryStore()
    let now = at
    const queue = new AnswerQueue(store, { owner: "amina", now: () => now })
    expect(await queue.opened("t1", "b1")).toBeNull()

    expect(await queue.open("t1", "b1", ["s2", "s3"])).toEqual({
      openedAt: "2026-05-04T08:30:00.000Z",
      sampleIds: ["s2", "s3"],
    })
    // Shown again later, with other samples handed out: it is still the batch first shown, then.
    now += 60_000
    expect(await queue.open("t1", "b1", ["s3", "s4"])).toEqual({
      openedAt: "2026-05-04T08:30:00.000Z",
      sampleIds: ["s2", "s3"],
    })
    const restarted = new AnswerQueue(store, { owner: "amina" })
    expect(await restarted.opened("t1", "b1")).toEqual({
      openedAt: "2026-05-04T08:30:00.000Z",
      sampleIds: ["s2", "s3"],
    })
    // It belongs to the sign-in: another annotator on the phone has opened nothing.
    expect(await new AnswerQueue(store, { owner: "bo" }).opened("t1", "b1")).toBeNull()
  })

  it("keeps the samples of answers drafted before the batch was first opened (an older build's draft)", async () => {
    const queue = new AnswerQueue(memoryStore())
    await queue.answer("t1", "b1", yes(1))
    expect((await queue.open("t1", "b1", ["s2", "s1"]))?.sampleIds).toEqual(["s1", "s2"])
  })

  it("opens nothing when nothing is handed out", async () => {
    const queue = new AnswerQueue(memoryStore())
    expect(await queue.open("t1", "b1", [])).toBeNull()
    expect(await queue.opened("t1", "b1")).toBeNull()
  })

  it("sends openedAt with the answers, and retries carry the very same one", async () => {
    const clock = manualClock()
    let now = at
    const { transport, sent } = fakeTransport({ kind: "network" })
    const queue = new AnswerQueue(memoryStore(), { transport, schedule: clock.schedule, now: () => now })
    await queue.open("t1", "b1", ["s1"])
    now += 5 * 60_000
    await queue.answer("t1", "b1", yes(1))
    expect((await queue.submit("t1", "b1")).kind).toBe("queued")
    now += 60_000
    clock.timers[0].run()
    await queue.settled()

    expect(sent.map((s) => s.openedAt)).toEqual(["2026-05-04T08:30:00.000Z", "2026-05-04T08:30:00.000Z"])
    const payload = ({ taskId, batchId, answers, openedAt }: Submission) => ({ taskId, batchId, answers, openedAt })
    expect(payload(sent[1])).toEqual(payload(sent[0]))
    // Once submitted, the batch's record is done with.
    expect(await queue.opened("t1", "b1")).toBeNull()
  })

  it("says how many of the answers counted as votes", async () => {
    const { transport } = fakeTransport({ kind: "ok", accepted: 3, counted: 1 })
    const queue = new AnswerQueue(memoryStore(), { transport })
    for (const n of [1, 2, 3]) await queue.answer("t1", "b1", yes(n))
    expect(await queue.submit("t1", "b1")).toEqual({ kind: "sent", accepted: 3, counted: 1 })
  })

  it("signing out forgets the batches opened, with the drafts", async () => {
    const queue = new AnswerQueue(memoryStore(), { owner: "amina" })
    await queue.open("t1", "b1", ["s1"])
    await queue.answer("t1", "b1", yes(1))
    await queue.forgetDrafts()
    expect(await queue.opened("t1", "b1")).toBeNull()
    expect(await queue.draftedAnswers()).toBe(0)
  })
})
