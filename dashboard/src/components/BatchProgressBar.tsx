import { formatCount } from "../domain/format"
import type { BatchProgress } from "../domain/metrics"

type Props = { progress: BatchProgress; label: string; showLegend?: boolean }

const share = (part: number, total: number) => `${total ? (100 * part) / total : 0}%`

/** Decided samples (accepted, disputed) and those still open, as one bar with its numbers. */
export function BatchProgressBar({ progress, label, showLegend = false }: Props) {
  const { total, accepted, disputed, decided } = progress
  return (
    <div>
      <div
        className="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={decided}
        aria-valuetext={`${decided} of ${total} samples decided`}
      >
        <span className="accepted" style={{ width: share(accepted, total) }} />
        <span className="disputed" style={{ width: share(disputed, total) }} />
      </div>
      <div className="progress-label">
        {formatCount(decided)} / {formatCount(total)} decided
      </div>
      {showLegend ? (
        <div className="legend" aria-hidden="true">
          <span>
            <span className="key" style={{ background: "var(--ok)" }} />
            Accepted
          </span>
          <span>
            <span className="key" style={{ background: "var(--danger)" }} />
            Disputed
          </span>
          <span>
            <span className="key" style={{ background: "var(--surface-2)", border: "1px solid var(--border)" }} />
            Open
          </span>
        </div>
      ) : null}
    </div>
  )
}
