// What the console derives from rounds and batches: plain functions over the API's plain data.

export type RoundScores = {
  number: number
  trainSize: number
  accuracy: number
  precision: number
  recall: number
  f1: number
  confusionMatrix: number[][]
}

export type SampleTally = { state: "OPEN" | "ACCEPTED" | "DISPUTED" | "DISCARDED"; answerCount: number }

export type BatchProgress = {
  total: number
  accepted: number
  disputed: number
  open: number
  /** Answers received over all the batch's samples. */
  answers: number
  /** Samples decided either way (accepted, or disputed: the owner's discarding one keeps it so). */
  decided: number
}

/**
 * The accuracy of always answering the test set's most common class: the share of its largest
 * row (row i counts the test samples whose true label is i). Null for an empty matrix.
 */
export function majorityBaseline(confusionMatrix: number[][]): number | null {
  const rows = confusionMatrix.map((row) => row.reduce((a, b) => a + b, 0))
  const total = rows.reduce((a, b) => a + b, 0)
  return total > 0 ? Math.max(...rows) / total : null
}

/** The round with the highest number, if any. */
export function latestRound<R extends { number: number }>(rounds: readonly R[]): R | null {
  return rounds.reduce<R | null>((best, r) => (best === null || r.number > best.number ? r : best), null)
}

/** Rounds in order, the way the learning curve plots them. */
export function byRound<R extends { number: number }>(rounds: readonly R[]): R[] {
  return [...rounds].sort((a, b) => a.number - b.number)
}

export function batchProgress(samples: readonly SampleTally[]): BatchProgress {
  const count = (state: SampleTally["state"]) => samples.filter((s) => s.state === state).length
  const accepted = count("ACCEPTED")
  // A discarded sample was disputed first: the crowd's tally of the batch is unchanged by it.
  const disputed = count("DISPUTED") + count("DISCARDED")
  return {
    total: samples.length,
    accepted,
    disputed,
    open: samples.length - accepted - disputed,
    answers: samples.reduce((sum, s) => sum + s.answerCount, 0),
    decided: accepted + disputed,
  }
}
