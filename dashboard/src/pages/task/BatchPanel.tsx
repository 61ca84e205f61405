import type { TaskDetail } from "../../api/hooks"
import { BatchProgressBar } from "../../components/BatchProgressBar"
import { Card } from "../../components/Card"
import { formatCount } from "../../domain/format"
import { batchProgress } from "../../domain/metrics"

type Sample = NonNullable<TaskDetail["currentBatch"]>["samples"][number]

function SampleTile({ sample }: { sample: Sample }) {
  const what = {
    OPEN: "open",
    ACCEPTED: `accepted as ${sample.resolvedLabel}`,
    DISPUTED: "disputed",
    DISCARDED: "disputed, discarded by the owner",
  }[sample.state]
  const description = `Sample ${sample.id}: ${sample.answerCount} ${sample.answerCount === 1 ? "answer" : "answers"}, ${what}`
  return (
    <li className="sample" data-state={sample.state} title={description} data-testid={`sample-${sample.id}`}>
      {sample.mediaUrl ? (
        <img src={sample.mediaUrl} alt={description} width={72} height={72} loading="lazy" />
      ) : (
        <div className="text" aria-label={description}>
          {sample.text}
        </div>
      )}
      {sample.state !== "OPEN" ? (
        <span className="mark" aria-hidden="true">
          {sample.state === "ACCEPTED" ? "✓" : "!"}
        </span>
      ) : null}
      <span className="count" aria-hidden="true">
        {sample.answerCount}
      </span>
    </li>
  )
}

/** What the loop is doing when no batch takes answers, in one sentence. */
function whileClosed(task: TaskDetail): string {
  if (task.status === "TRAINING") {
    const next = task.rounds.length
    return `Round ${next} is training on ${formatCount(task.labelledCount)} labelled samples. The next batch opens when it finishes.`
  }
  return task.status === "FINISHED"
    ? "This task is finished: no more batches."
    : "No batch is open: the last round failed."
}

/**
 * The current batch filling up: answers in, samples accepted or disputed, each sample's count.
 * Once resolved it stays in view, with its final tallies, while the next round trains.
 */
export function BatchPanel({ task }: { task: TaskDetail }) {
  const batch = task.currentBatch
  if (!batch) {
    return (
      <Card title="Current batch" headingId="batch-heading">
        <div className="batch-waiting" data-testid="batch-waiting">
          <p>{whileClosed(task)}</p>
        </div>
      </Card>
    )
  }
  const progress = batchProgress(batch.samples)
  const { minPeers, maxPeers } = task.scenario
  const open = batch.status === "OPEN"
  return (
    <Card
      title={`Batch ${batch.number}`}
      headingId="batch-heading"
      aside={open ? `${formatCount(minPeers)}–${formatCount(maxPeers)} answers per sample` : "Resolved"}
    >
      <div data-testid="batch" data-status={batch.status}>
        {open ? null : (
          <p className="batch-note" data-testid="batch-waiting">
            {whileClosed(task)}
          </p>
        )}
        <BatchProgressBar progress={progress} label={`Batch ${batch.number}: samples decided`} showLegend />
        <dl className="batch-figures">
          <div>
            <dt>Answers in</dt>
            <dd data-testid="batch-answers">{formatCount(progress.answers)}</dd>
          </div>
          <div>
            <dt>Accepted</dt>
            <dd data-testid="batch-accepted">{formatCount(progress.accepted)}</dd>
          </div>
          <div>
            <dt>Disputed</dt>
            <dd data-testid="batch-disputed">{formatCount(progress.disputed)}</dd>
          </div>
          <div>
            <dt>Still open</dt>
            <dd data-testid="batch-open">{formatCount(progress.open)}</dd>
          </div>
        </dl>
        <ul className="samples" aria-label={`Samples of batch ${batch.number}`}>
          {batch.samples.map((s) => (
            <SampleTile key={s.id} sample={s} />
          ))}
        </ul>
      </div>
    </Card>
  )
}
