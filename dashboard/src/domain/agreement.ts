// How far the crowd agrees, in words: Krippendorff's alpha read against the usual cut-offs.

export type AlphaReading = { words: string; tone: "ok" | "warn" | "danger" | "neutral" }

// Krippendorff (2004): data with alpha >= 0.8 are relied on; 0.667 to 0.8 only for tentative
// conclusions; below that the labels say little beyond chance.
const RELIABLE = 0.8
const TENTATIVE = 0.667

/** One alpha as a reader should take it; null: too few answers on shared samples to tell. */
export function readAlpha(alpha: number | null | undefined): AlphaReading {
  if (alpha == null || Number.isNaN(alpha)) return { words: "Not enough shared answers yet", tone: "neutral" }
  if (alpha >= RELIABLE) return { words: "Reliable agreement", tone: "ok" }
  if (alpha >= TENTATIVE) return { words: "Tentative agreement", tone: "warn" }
  if (alpha > 0) return { words: "Low agreement", tone: "danger" }
  return { words: "No better than chance", tone: "danger" }
}

/** The explanation shown beside every alpha. */
export const ALPHA_EXPLAINED =
  "Krippendorff's alpha: 1 when annotators always agree, 0 when they agree no more than chance would, below 0 when they disagree more than chance; 0.8 and up is usually trusted."
