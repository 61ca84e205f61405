import type { ReactNode } from "react"

export type Tone = "info" | "warn" | "ok" | "danger" | "muted"

/** A short state in a coloured pill; the words carry the meaning, the colour repeats it. */
export function Badge({ tone, children, testId }: { tone: Tone; children: ReactNode; testId?: string }) {
  return (
    <span className="badge" data-tone={tone} data-testid={testId}>
      {children}
    </span>
  )
}
