import { useTaskAgreement, type Agreement } from "../../api/agreement"
import type { TaskDetail } from "../../api/hooks"
import { Card } from "../../components/Card"
import { Failed, Loading } from "../../components/States"
import { ALPHA_EXPLAINED, readAlpha } from "../../domain/agreement"
import { DASH, formatCount, formatDecimal, formatPercent } from "../../domain/format"
import { byRound } from "../../domain/metrics"

/** What the page shows changing: any of it may change the crowd's agreement. */
function versionOf(task: TaskDetail): string {
  const batch = task.currentBatch
  const answers = batch?.samples.reduce((sum, s) => sum + s.answerCount, 0) ?? 0
  return [batch?.id, batch?.status, answers, task.rounds.length, task.labelledCount].join(":")
}

type Row = { label: string; hint?: string; value: (a: Agreement) => string }

const ROWS: Row[] = [
  { label: "Votes counted", value: (a) => formatCount(a.answers) },
  {
    label: "Kept as evidence",
    hint: "sent after the sample was decided, or by an annotator later suspended: they grade, never decide",
    value: (a) => formatCount(a.evidence),
  },
  { label: "Accepted", value: (a) => formatCount(a.accepted) },
  { label: "Disputed", value: (a) => formatCount(a.disputed) },
  { label: "Disputed share", value: (a) => formatPercent(a.disputedShare) },
  {
    label: "Votes per label",
    hint: "votes spent per accepted label, disputed samples' included",
    value: (a) => formatDecimal(a.answersPerLabel),
  },
]

function Alpha({ agreement, testId }: { agreement: Agreement | null | undefined; testId?: string }) {
  const alpha = agreement?.alpha
  const reading = readAlpha(alpha)
  return (
    <>
      <strong className="num" data-testid={testId}>
        {formatDecimal(alpha)}
      </strong>{" "}
      <span className="reading" data-tone={reading.tone}>
        {reading.words}
      </span>
    </>
  )
}

/** The alpha as a short bar from 0 to 1 (below 0 shows empty): the number beside it is what counts. */
function AlphaBar({ alpha }: { alpha: number | null | undefined }) {
  const width = alpha == null ? 0 : Math.max(0, Math.min(1, alpha)) * 100
  return (
    <span className="alpha-bar" aria-hidden="true">
      <span style={{ width: `${width}%` }} data-tone={readAlpha(alpha).tone} />
    </span>
  )
}

function PerRound({ task, rounds }: { task: TaskDetail; rounds: { number: number; agreement: Agreement | null }[] }) {
  const scored = byRound(rounds).filter((r) => r.agreement !== null)
  if (scored.length === 0) {
    return (
      <p className="muted table-note" data-testid="agreement-rounds-empty">
        {task.rounds.length > 1
          ? "No round has agreement figures (their batches had no answers)."
          : "Each round's agreement shows once round 1 has trained on the crowd's labels."}
      </p>
    )
  }
  return (
    <div className="table-wrap">
      <table className="plain" data-testid="agreement-rounds">
        <caption className="visually-hidden">
          Agreement on the labels each round added (the previous round&apos;s batch)
        </caption>
        <thead>
          <tr>
            <th scope="col">Round</th>
            <th scope="col">Alpha</th>
            <th scope="col">Votes</th>
            <th scope="col">Accepted</th>
            <th scope="col">Disputed</th>
          </tr>
        </thead>
        <tbody>
          {scored.map((r) => {
            const a = r.agreement as Agreement
            return (
              <tr key={r.number} data-testid={`agreement-round-${r.number}`}>
                <th scope="row">{r.number}</th>
                <td>
                  <span className="alpha-cell">
                    <AlphaBar alpha={a.alpha} />
                    {formatDecimal(a.alpha)}
                  </span>
                </td>
                <td>{formatCount(a.answers)}</td>
                <td>{formatCount(a.accepted)}</td>
                <td>
                  {formatCount(a.disputed)}
                  {a.disputedShare != null ? <span className="muted"> ({formatPercent(a.disputedShare)})</span> : null}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

/**
 * How far the crowd agrees: Krippendorff's alpha and the tallies on the current batch and over
 * every batch, and per round on the labels each round added.
 */
export function AgreementPanel({ task }: { task: TaskDetail }) {
  const { agreement, problem, refetch } = useTaskAgreement(task.id, versionOf(task))
  const overall = agreement?.agreement ?? null
  const batch = agreement?.currentBatch ?? null
  // The server gives zeros before the first answer: nothing to say yet.
  const answered = overall !== null && overall.answers + overall.evidence > 0
  return (
    <Card
      title="Crowd agreement"
      headingId="agreement-heading"
      aside={answered ? <Alpha agreement={overall} testId="agreement-alpha" /> : undefined}
    >
      <div data-testid="agreement">
        {agreement === undefined ? (
          problem ? (
            <Failed message={problem} onRetry={refetch} />
          ) : (
            <Loading label="Loading the crowd's agreement" lines={6} />
          )
        ) : !answered || !overall ? (
          <div className="batch-waiting" data-testid="agreement-empty">
            <p>Agreement shows once annotators have answered.</p>
          </div>
        ) : (
          <>
            <p className="muted explain">{ALPHA_EXPLAINED}</p>
            <div className="table-wrap">
              <table className="plain agreement-table">
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">Figure</span>
                    </th>
                    <th scope="col">{batch ? `Batch ${batch.number}` : "Current batch"}</th>
                    <th scope="col">All batches</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th scope="row">Krippendorff&apos;s alpha</th>
                    <td data-testid="agreement-batch-alpha">
                      {batch?.agreement ? formatDecimal(batch.agreement.alpha) : DASH}
                    </td>
                    <td data-testid="agreement-all-alpha">{formatDecimal(overall.alpha)}</td>
                  </tr>
                  {ROWS.map((row) => (
                    <tr key={row.label}>
                      <th scope="row">
                        {row.label}
                        {row.hint ? <small className="row-hint">{row.hint}</small> : null}
                      </th>
                      <td>{batch?.agreement ? row.value(batch.agreement) : DASH}</td>
                      <td>{row.value(overall)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3 className="subhead">Per round</h3>
            <PerRound task={task} rounds={agreement.rounds} />
          </>
        )}
      </div>
    </Card>
  )
}
