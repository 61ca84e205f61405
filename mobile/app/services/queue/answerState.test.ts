import type { Submission } from "./answerQueue"
import { answerState } from "./answerState"

const batch = { id: "b2", number: 2 }
const open = { id: "t1", lockedForMe: false, currentBatch: batch }
const waiting = (taskId: string): Submission => ({
  taskId,
  batchId: "b2",
  answers: [{ sampleId: "s1", label: "yes" }],
  queuedAt: 0,
  attempts: 1,
})

describe("answerState", () => {
  it("is open when the server waits for my answers to the current batch", () => {
    expect(answerState(open, [])).toEqual({ kind: "open", batch })
  })

  it("is locked when the server says so, or there is no batch", () => {
    expect(answerState({ ...open, lockedForMe: true }, [])).toEqual({ kind: "locked" })
    expect(answerState({ ...open, currentBatch: null }, [])).toEqual({ kind: "locked" })
  })

  it("is queued while my answers to the task wait on this device, whatever the server still thinks", () => {
    const submission = waiting("t1")
    expect(answerState(open, [waiting("t9"), submission])).toEqual({ kind: "queued", submission })
    expect(answerState(open, [waiting("t9")])).toEqual({ kind: "open", batch })
  })

  it("is locked for a batch this device has just delivered, whatever the task as last fetched says", () => {
    expect(answerState(open, [], { t1: "b2" })).toEqual({ kind: "locked" })
    expect(answerState(open, [], { t1: "b1" })).toEqual({ kind: "open", batch })
  })
})
