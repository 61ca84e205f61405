import type { Submission } from "./answerQueue"
import { useAnswerQueue } from "./QueueProvider"

/** What a task needs to say whether I can answer it; both task queries carry it. */
type AnswerableTask<B> = { id: string; lockedForMe: boolean; currentBatch?: (B & { id: string }) | null }

/** Batches this device has seen the server take answers to (or refuse as already answered), by task. */
export type Answered = Record<string, string>

/** Whether I can answer a task now, and if not, whether my answers are still on this device. */
export type AnswerState<B> =
  { kind: "open"; batch: B } | { kind: "queued"; submission: Submission } | { kind: "locked" }

/**
 * The server's `lockedForMe` (already answered, not collecting, or nothing open), overruled by what
 * only this device knows: answers to the task still waiting in the outbox, or answers to its current
 * batch that the server has just taken (the task as last fetched may predate them).
 */
export function answerState<B>(
  task: AnswerableTask<B>,
  pending: Submission[],
  answered: Answered = {},
): AnswerState<B> {
  const queued = pending.find((s) => s.taskId === task.id)
  if (queued) return { kind: "queued", submission: queued }
  const batch = task.currentBatch
  if (!task.lockedForMe && batch && answered[task.id] !== batch.id) return { kind: "open", batch }
  return { kind: "locked" }
}

/** Whether I can answer `task` now; the one rule every screen asks. */
export function useAnswerState<B>(task: AnswerableTask<B>): AnswerState<B> {
  const { pending, answered } = useAnswerQueue()
  return answerState(task, pending, answered)
}
