import type { TaskCategory, TaskStatus, TaskSubcategory } from "../gql/graphql"
import type { Tone } from "../theme"

/** Words people use for the API's enum values. */
export const categoryNames: Record<TaskCategory, { title: string; icon: string; color: string; blurb: string }> = {
  IMAGE: { title: "Images", icon: "Im", color: "#2563EB", blurb: "Look at photos and say what you see" },
  TEXT: { title: "Text", icon: "Tx", color: "#7C3AED", blurb: "Read short messages and sort them" },
  AUDIO: { title: "Audio", icon: "Au", color: "#DB2777", blurb: "Listen to recordings" },
  OTHER: { title: "Other", icon: "…", color: "#0D9488", blurb: "Everything else" },
}

export const subcategoryNames: Record<TaskSubcategory, { title: string; blurb: string }> = {
  BINARY_CLASSIFICATION: { title: "Yes or no", blurb: "Answer one question per sample" },
  MULTICLASS_CLASSIFICATION: { title: "Pick a class", blurb: "Choose one of several labels" },
  OBJECT_DETECTION: { title: "Find objects", blurb: "Mark where things are" },
  IMAGE_CAPTIONING: { title: "Describe images", blurb: "Write what the image shows" },
}

export const statusNames: Record<TaskStatus, { label: string; tone: Tone }> = {
  COLLECTING: { label: "Collecting answers", tone: "success" },
  TRAINING: { label: "Training", tone: "warning" },
  FINISHED: { label: "Finished", tone: "info" },
  FAILED: { label: "Failed", tone: "danger" },
}

/** The server counts batches from 0 (batch n follows training round n); people count from 1. */
export function batchName(number: number): string {
  return `Batch ${number + 1}`
}

/** "not_collapsed" -> "Not collapsed". */
export function humanLabel(label: string): string {
  const words = label.replace(/[_-]+/g, " ").trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
