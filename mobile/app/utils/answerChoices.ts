import type { TaskSubcategory } from "../gql/graphql"
import { t } from "../i18n"
import { humanLabel } from "./names"

/** One big answer button: the label sent to the server, the words shown, and its colour. */
export type Choice = { label: string; title: string; caption?: string; tone: "yes" | "no" | "plain" }

const YES = /^(yes|y|true|1|positive|pos)$/i
const NO = /^(no|n|false|0|negative|neg)$/i
const NEGATED = /^(not|no|non)[ _-]+/i

/** Split a binary task's two labels into (yes, no), or null when neither reads as the negative. */
function yesNo(labels: readonly string[]): [string, string] | null {
  const [a, b] = labels
  if (YES.test(a) && NO.test(b)) return [a, b]
  if (NO.test(a) && YES.test(b)) return [b, a]
  if (NEGATED.test(b) && !NEGATED.test(a)) return [a, b]
  if (NEGATED.test(a) && !NEGATED.test(b)) return [b, a]
  return null
}

/** Buttons for a task's labels: Yes / No for binary tasks, one per label otherwise. */
export function answerChoices(labels: readonly string[], subcategory: TaskSubcategory): Choice[] {
  const pair = labels.length === 2 && subcategory === "BINARY_CLASSIFICATION" ? yesNo(labels) : null
  if (pair) {
    const [yes, no] = pair
    const caption = (l: string) => (YES.test(l) || NO.test(l) ? undefined : humanLabel(l))
    return [
      { label: yes, title: t("choice.yes"), caption: caption(yes), tone: "yes" },
      { label: no, title: t("choice.no"), caption: caption(no), tone: "no" },
    ]
  }
  return labels.map((label) => ({ label, title: humanLabel(label), tone: "plain" }))
}

/** The question a binary task asks, from its positive label ("collapsed" -> "Collapsed?"). */
export function binaryQuestion(choices: Choice[]): string | null {
  const yes = choices.find((c) => c.tone === "yes")
  return yes?.caption ? t("label.binaryQuestion", { label: yes.caption }) : null
}

/**
 * What I answered, in the buttons' words, most given first ("Yes × 7 · No × 3"); null for none.
 * A label no button has (the task's labels changed) is shown as it is.
 */
export function answersSummary(answers: readonly { label: string }[], choices: Choice[]): string | null {
  if (answers.length === 0) return null
  const counts = new Map<string, number>()
  for (const { label } of answers) counts.set(label, (counts.get(label) ?? 0) + 1)
  const title = (label: string) => choices.find((c) => c.label === label)?.title ?? humanLabel(label)
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([label, n]) => `${title(label)} × ${n}`)
    .join(" · ")
}
