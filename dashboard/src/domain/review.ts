// The owner's review of the crowd's labels: how a disputed sample's votes split, and what a
// decision does, in words.

export type LabelVotes = { label: string; count: number }
export type VoteShare = LabelVotes & { share: number; top: boolean }

/**
 * Each label's votes with its share of the sample's votes, in the task's label order (labels
 * nobody chose count 0); `top` marks the most chosen (every one of a tie).
 */
export function voteShares(labels: readonly string[], votes: readonly LabelVotes[] | null): VoteShare[] {
  const counts = new Map((votes ?? []).map((v) => [v.label, v.count]))
  // A label the task no longer lists still counts (a vote is a vote): after the task's own.
  const order = [...labels, ...[...counts.keys()].filter((l) => !labels.includes(l))]
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  const most = Math.max(0, ...counts.values())
  return order.map((label) => {
    const count = counts.get(label) ?? 0
    return { label, count, share: total > 0 ? count / total : 0, top: most > 0 && count === most }
  })
}

export type ReviewAction = "DECIDE" | "DISCARD" | "REASK"

/** What the owner is told once the server has taken a decision. */
export function reviewedWords(sampleId: string, action: ReviewAction, label: string | null): string {
  switch (action) {
    case "DECIDE":
      return `Sample ${sampleId} is now labelled ${label}: it trains from the next round on.`
    case "DISCARD":
      return `Sample ${sampleId} is discarded: it stays out of training.`
    case "REASK":
      return `Sample ${sampleId} is back with the crowd: annotators who have not seen it yet will label it.`
  }
}
