import { lazy, Suspense } from "react"
import type { TaskDetail } from "../../api/hooks"
import { Card } from "../../components/Card"
import type { CurvePoint } from "../../components/LearningCurveChart"
import { formatCount, formatDuration, formatPercent } from "../../domain/format"
import { byRound, latestRound, majorityBaseline } from "../../domain/metrics"

// The charting library is most of the console's code: only a task's page loads it.
const LearningCurveChart = lazy(() => import("../../components/LearningCurveChart"))

/** Test accuracy and F1 per round against labels, the majority-class line, and the numbers as a table. */
export function CurvePanel({ task }: { task: TaskDetail }) {
  const rounds = byRound(task.rounds)
  const latest = latestRound(rounds)
  // Every round tests on the same held-out set, so any round's matrix gives its class counts.
  const baseline = latest ? majorityBaseline(latest.confusionMatrix) : null
  const points: CurvePoint[] = rounds.map((r) => ({
    round: r.number,
    labelled: r.trainSize,
    accuracy: r.accuracy,
    f1: r.f1,
    precision: r.precision,
    recall: r.recall,
  }))
  return (
    <Card
      title="Learning curve"
      headingId="curve-heading"
      aside={baseline !== null ? `Majority-class baseline ${formatPercent(baseline)}` : undefined}
    >
      {points.length === 0 ? (
        <div className="chart batch-waiting" data-testid="learning-curve-empty">
          <p>The curve starts when round 0 has trained.</p>
        </div>
      ) : (
        <>
          <Suspense fallback={<div className="chart" aria-busy="true" />}>
            <LearningCurveChart points={points} baseline={baseline} />
          </Suspense>
          <details className="numbers">
            <summary>Numbers per round</summary>
            <table className="plain">
              <thead>
                <tr>
                  <th scope="col">Round</th>
                  <th scope="col">Labelled</th>
                  <th scope="col">Accuracy</th>
                  <th scope="col">F1</th>
                  <th scope="col">Precision</th>
                  <th scope="col">Recall</th>
                  <th scope="col">Took</th>
                </tr>
              </thead>
              <tbody>
                {rounds.map((r) => (
                  <tr key={r.number}>
                    <td>{r.number}</td>
                    <td>{formatCount(r.trainSize)}</td>
                    <td>{formatPercent(r.accuracy)}</td>
                    <td>{formatPercent(r.f1)}</td>
                    <td>{formatPercent(r.precision)}</td>
                    <td>{formatPercent(r.recall)}</td>
                    <td>{formatDuration(r.startedAt, r.finishedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </Card>
  )
}
