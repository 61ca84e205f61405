import { useState } from "react"
import type { TaskDetail } from "../../api/hooks"
import { useDisputedSamples, useReviewSample, type DisputedSample, type ReviewQueue } from "../../api/review"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { RadioGroup } from "../../components/fields"
import { Empty, Failed } from "../../components/States"
import { asSentence, formatCount, formatPercent } from "../../domain/format"
import { batchProgress } from "../../domain/metrics"
import { reviewedWords, voteShares, type ReviewAction } from "../../domain/review"

const PAGE = 12
const QUEUES = [
  { value: "DISPUTED", label: "Disputed" },
  { value: "DISCARDED", label: "Discarded" },
]
const MOST = 100 // the most sampleConnection gives at once

/** What changes the disputed list: a batch's disputes, a new batch, a round. */
function versionOf(task: TaskDetail): string {
  const batch = task.currentBatch
  const disputed = batch ? batchProgress(batch.samples).disputed : 0
  return `${batch?.id ?? ""}:${batch?.status ?? ""}:${disputed}:${task.rounds.length}`
}

type Outcome = { sampleId: string; ok: boolean; message: string }

function Votes({ labels, sample }: { labels: readonly string[]; sample: DisputedSample }) {
  const shares = voteShares(labels, sample.votes ?? null)
  return (
    <ul className="votes" aria-label={`Votes on sample ${sample.id}`}>
      {shares.map((v) => (
        <li key={v.label} data-top={v.top || undefined}>
          <span className="label" title={v.label}>
            {v.label}
          </span>
          <span className="num">
            {formatCount(v.count)}
            <span className="visually-hidden"> ({formatPercent(v.share)})</span>
          </span>
          <span className="bar" aria-hidden="true">
            <span style={{ width: `${Math.round(v.share * 100)}%` }} />
          </span>
        </li>
      ))}
    </ul>
  )
}

function Item({
  labels,
  sample,
  busy,
  outcome,
  onReview,
}: {
  labels: readonly string[]
  sample: DisputedSample
  busy: boolean
  outcome: Outcome | null
  onReview: (action: ReviewAction, label: string | null) => void
}) {
  // A discarded sample may be given a label after all; discarding it again changes nothing.
  const discarded = sample.state === "DISCARDED"
  const answers = `${formatCount(sample.answerCount)} ${sample.answerCount === 1 ? "answer" : "answers"}`
  return (
    <li className="disputed" data-testid={`disputed-${sample.id}`} aria-busy={busy || undefined}>
      <div className="thumb">
        {sample.mediaUrl ? (
          <img src={sample.mediaUrl} alt={`Sample ${sample.id}`} width={96} height={96} loading="lazy" />
        ) : (
          <div className="text">{sample.text}</div>
        )}
      </div>
      <div className="body">
        <div className="muted">
          Sample {sample.id} · {answers}
        </div>
        <Votes labels={labels} sample={sample} />
        <div className="review-actions" role="group" aria-label={`Decide sample ${sample.id}`}>
          {labels.map((label) => (
            <Button
              key={label}
              disabled={busy}
              onClick={() => onReview("DECIDE", label)}
              aria-label={`Label sample ${sample.id} ${label}`}
            >
              {label}
            </Button>
          ))}
          {discarded ? null : (
            <Button
              variant="ghost"
              disabled={busy}
              onClick={() => onReview("DISCARD", null)}
              aria-label={`Discard sample ${sample.id}`}
            >
              Discard
            </Button>
          )}
          <Button
            variant="ghost"
            disabled={busy}
            onClick={() => onReview("REASK", null)}
            aria-label={`Send sample ${sample.id} back to the crowd`}
          >
            Send back to the crowd
          </Button>
        </div>
        {outcome && !outcome.ok ? (
          <p className="error-text" role="alert">
            {outcome.message}
          </p>
        ) : null}
      </div>
    </li>
  )
}

/**
 * The samples the crowd could not agree on, across every batch, with the votes per label: the
 * owner gives one its label (it trains from the next round on), discards it (out of training),
 * or sends it back to the crowd (its votes stop counting; annotators who never saw it decide).
 * Nothing is changed on screen before the server says so: the list is read again after each.
 */
export function DisputedPanel({ task }: { task: TaskDetail }) {
  const [first, setFirst] = useState(PAGE)
  const [queue, setQueue] = useState<ReviewQueue>("DISPUTED")
  const { samples, total, problem, refetch, fetching } = useDisputedSamples(task.id, first, versionOf(task), queue)
  const { review } = useReviewSample()
  const [busy, setBusy] = useState<string | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)

  const onReview = async (sample: DisputedSample, action: ReviewAction, label: string | null) => {
    setBusy(sample.id)
    setOutcome(null)
    const result = await review(sample.id, action, label)
    setBusy(null)
    setOutcome(
      result.ok
        ? { sampleId: sample.id, ok: true, message: reviewedWords(sample.id, action, label) }
        : { sampleId: sample.id, ok: false, message: asSentence(result.message) },
    )
    refetch()
  }

  const shown = samples?.length ?? 0
  return (
    <Card
      title="Disputed samples"
      headingId="disputed-heading"
      aside={
        samples ? (
          <span data-testid="disputed-total">
            {formatCount(total)} {queue === "DISPUTED" ? "the crowd could not agree on" : "kept out of training"}
          </span>
        ) : null
      }
    >
      <RadioGroup
        name="reviewQueue"
        legend="Show"
        className="review-queue"
        value={queue}
        onChange={(v) => {
          setQueue(v as ReviewQueue)
          setFirst(PAGE)
          setOutcome(null)
        }}
        options={QUEUES}
      />
      {!samples ? (
        problem ? (
          <Failed message={problem} onRetry={refetch} />
        ) : (
          <ul className="disputed-list" role="status" aria-busy="true" aria-label="Loading the disputed samples">
            {Array.from({ length: 3 }, (_, i) => (
              <li key={i} className="disputed placeholder">
                <div className="thumb skeleton" />
                <div className="body stack" style={{ gap: 8 }}>
                  <div className="skeleton" style={{ width: "40%" }} />
                  <div className="skeleton" style={{ width: "80%" }} />
                </div>
              </li>
            ))}
          </ul>
        )
      ) : shown === 0 ? (
        queue === "DISPUTED" ? (
          <Empty title="No disputed samples">
            When annotators cannot agree on a sample, it waits here for your label.
          </Empty>
        ) : (
          <Empty title="No discarded samples">Samples you discard are listed here; a label brings one back.</Empty>
        )
      ) : (
        <>
          {problem ? (
            <div className="alert" role="alert">
              {problem}
            </div>
          ) : null}
          <ul
            className="disputed-list"
            aria-label={queue === "DISPUTED" ? "Disputed samples" : "Discarded samples"}
            data-testid="disputed"
          >
            {samples.map((s) => (
              <Item
                key={s.id}
                labels={task.labels}
                sample={s}
                busy={busy === s.id}
                outcome={outcome?.sampleId === s.id ? outcome : null}
                onReview={(action, label) => void onReview(s, action, label)}
              />
            ))}
          </ul>
          {total > shown ? (
            <div className="load-more">
              <span className="muted">
                Showing {formatCount(shown)} of {formatCount(total)}
              </span>
              {shown < MOST ? (
                <Button onClick={() => setFirst((f) => Math.min(MOST, f + PAGE))} disabled={fetching}>
                  Show more
                </Button>
              ) : null}
            </div>
          ) : null}
        </>
      )}
      <p className="status-line" role="status" data-testid="disputed-status">
        {outcome?.ok ? outcome.message : null}
      </p>
    </Card>
  )
}
