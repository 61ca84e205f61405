// The task's stopping rules (Scenario.labelBudget, targetAccuracy, plateauAgreement over
// plateauWindow rounds) and which one finished it (Task.finishedReason), in words.
import { formatCount, formatDecimal, formatPercent } from "./format"

export type StoppingRules = {
  labelBudget: number | null
  targetAccuracy: number | null
  plateauAgreement: number | null
  plateauWindow: number
}

export type FinishedReason = "POOL_EXHAUSTED" | "LABEL_BUDGET" | "TARGET_ACCURACY" | "PLATEAU"

/** Why a finished task finished, one sentence; null reason (a task from before the rules): none. */
export function finishedWords(reason: FinishedReason | null | undefined, rules: StoppingRules): string | null {
  switch (reason) {
    case "POOL_EXHAUSTED":
      return "Finished: every sample of the pool has been asked of the crowd."
    case "LABEL_BUDGET":
      return `Finished: the label budget${rules.labelBudget !== null ? ` of ${formatCount(rules.labelBudget)}` : ""} is spent.`
    case "TARGET_ACCURACY":
      return `Finished: a round's evaluation accuracy reached the target${rules.targetAccuracy !== null ? ` of ${formatPercent(rules.targetAccuracy)}` : ""}.`
    case "PLATEAU":
      return `Finished: the model stopped changing (its predictions on the pool agreed round to round, mean kappa${rules.plateauAgreement !== null ? ` ≥ ${formatDecimal(rules.plateauAgreement)}` : ""} over ${formatCount(rules.plateauWindow)} rounds).`
    default:
      return null
  }
}

/** The rules that are on, in words; the pool running out always ends a task. */
export function rulesWords(rules: StoppingRules): string[] {
  const on: string[] = []
  if (rules.labelBudget !== null) on.push(`after ${formatCount(rules.labelBudget)} labels`)
  if (rules.targetAccuracy !== null) on.push(`at ${formatPercent(rules.targetAccuracy)} evaluation accuracy`)
  if (rules.plateauAgreement !== null)
    on.push(
      `once predictions agree round to round (kappa ≥ ${formatDecimal(rules.plateauAgreement)} over ${formatCount(rules.plateauWindow)} rounds)`,
    )
  on.push("when the pool runs out")
  return on
}
