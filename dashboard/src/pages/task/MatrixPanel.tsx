import { useState } from "react"
import type { TaskDetail } from "../../api/hooks"
import { Card } from "../../components/Card"
import { ConfusionHeatmap } from "../../components/ConfusionHeatmap"
import { formatCount, formatPercent } from "../../domain/format"
import { byRound, latestRound } from "../../domain/metrics"

/** Any round's test confusion matrix; follows the newest round until another is picked. */
export function MatrixPanel({ task }: { task: TaskDetail }) {
  const [picked, setPicked] = useState<number | null>(null)
  const rounds = byRound(task.rounds)
  const shown = rounds.find((r) => r.number === picked) ?? latestRound(rounds)
  const picker = shown ? (
    <label>
      <span className="visually-hidden">Round</span>
      <select
        className="inline"
        value={shown.number}
        onChange={(e) => setPicked(Number(e.target.value))}
        data-testid="round-picker"
      >
        {rounds.map((r) => (
          <option key={r.number} value={r.number}>
            Round {r.number}
          </option>
        ))}
      </select>
    </label>
  ) : null
  return (
    <Card title="Confusion matrix" headingId="matrix-heading" aside={picker}>
      {shown ? (
        <ConfusionHeatmap
          labels={task.labels}
          matrix={shown.confusionMatrix}
          caption={`Test set, round ${shown.number}: ${formatCount(shown.trainSize)} labelled, accuracy ${formatPercent(shown.accuracy)}. Rows: true label; columns: predicted.`}
        />
      ) : (
        <div className="batch-waiting">
          <p>Shown once round 0 has been tested.</p>
        </div>
      )}
    </Card>
  )
}
