import type { Submission } from "./answerQueue"
import { useAnswerQueue } from "./QueueProvider"

/** What a task needs to say whether I can answer it; both task queries carry it. */
type AnswerableTask<B> = { id: string; lockedForMe: boolean; currentBatch?: B | null }

/** Whether I can answer a task now, and if not, whether my answers are still on this device. */
export type AnswerState<B> =
  { kind: "open"; batch: B } | { kind: "queued"; submission: Submission } | { kind: "locked" }

/**
 * The server's `lockedForMe` (already answered, not collecting, or nothing open), overruled by what
 * only this device knows: answers to the task still waiting in the outbox.
 */
export function answerState<B>(task: AnswerableTask<B>, pending: Submission[]): AnswerState<B> {
  const queued = pending.find((s) => s.taskId === task.id)
  if (queued) return { kind: "queued", submission: queued }
  if (!task.lockedForMe && task.currentBatch) return { kind: "open", batch: task.currentBatch }
  return { kind: "locked" }
}

/** Whether I can answer `task` now; the one rule every screen asks. */
export function useAnswerState<B>(task: AnswerableTask<B>): AnswerState<B> {
  return answerState(task, useAnswerQueue().pending)
}
