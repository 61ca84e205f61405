import type { TaskCategory, TaskStatus, TaskSubcategory } from "../gql/graphql"
import { t } from "../i18n"
import type { Tone } from "../theme"

/** Words people use for the API's enum values, in the language in use. */
export function categoryName(category: TaskCategory): { title: string; icon: string; color: string; blurb: string } {
  const { icon, color } = CATEGORY_LOOK[category]
  return { title: t(`category.${category}`), blurb: t(`category.${category}.blurb`), icon, color }
}

const CATEGORY_LOOK: Record<TaskCategory, { icon: string; color: string }> = {
  IMAGE: { icon: "Im", color: "#2563EB" },
  TEXT: { icon: "Tx", color: "#7C3AED" },
  AUDIO: { icon: "Au", color: "#DB2777" },
  OTHER: { icon: "…", color: "#0D9488" },
}

export function subcategoryName(subcategory: TaskSubcategory): { title: string; blurb: string } {
  return { title: t(`subcategory.${subcategory}`), blurb: t(`subcategory.${subcategory}.blurb`) }
}

const STATUS_TONE: Record<TaskStatus, Tone> = {
  COLLECTING: "success",
  TRAINING: "warning",
  FINISHED: "info",
  FAILED: "danger",
}

export function statusName(status: TaskStatus): { label: string; tone: Tone } {
  return { label: t(`status.${status}`), tone: STATUS_TONE[status] }
}

/** The server counts batches from 0 (batch n follows training round n); people count from 1. */
export function batchName(number: number): string {
  return t("common.batch", { number: number + 1 })
}

/** "not_collapsed" -> "Not collapsed". */
export function humanLabel(label: string): string {
  const words = label.replace(/[_-]+/g, " ").trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
