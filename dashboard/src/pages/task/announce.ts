import type { TaskEvent } from "../../api/hooks"

/** A task event in words, for the page's live region (screen readers hear what changed). */
export function announce(event: TaskEvent | null): string {
  switch (event?.__typename) {
    case "RoundCompleted":
      return `Round ${event.round.number} finished.`
    case "NewBatchAvailable":
      return `Batch ${event.batch.number} is open for answers.`
    case "TaskLocked":
      return event.reason === "FINISHED" ? "The task is finished." : "The batch is complete; a round is training."
    case "TaskFailed":
      return `A round failed: ${event.error}`
    default:
      return ""
  }
}
