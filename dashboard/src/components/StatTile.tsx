import type { ReactNode } from "react"

export function StatTile({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="card stat">
      <div className="label">{label}</div>
      <div className="value" data-testid={testId}>
        {value}
      </div>
    </div>
  )
}
