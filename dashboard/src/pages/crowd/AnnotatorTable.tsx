import type { AnnotatorRow } from "../../api/crowd"
import { Badge } from "../../components/Badge"
import { Button } from "../../components/Button"
import { SortableHeader } from "../../components/SortableHeader"
import { taskScope } from "../../domain/crowd"
import { DASH, formatCount, formatDateTime, formatPercent, formatShareOf, parseServerTime } from "../../domain/format"
import type { Direction } from "../../domain/sort"

export type SortKey =
  | "name"
  | "status"
  | "answers"
  | "tasks"
  | "goldAccuracy"
  | "agreement"
  | "reliability"
  | "lastAnswerAt"
  | "tokenExpiresAt"
export type Order = { key: SortKey; direction: Direction }

export type AnnotatorActions = {
  onSuspend: (a: AnnotatorRow) => void
  onReinstate: (a: AnnotatorRow) => void
  onRevokeToken: (a: AnnotatorRow) => void
  /** The annotator an action is under way for: its buttons wait. */
  busyId: string | null
}

type Props = AnnotatorActions & {
  annotators: readonly AnnotatorRow[]
  titles: ReadonlyMap<string, string>
  order: Order
  onSort: (key: SortKey) => void
}

function TokenExpiry({ at }: { at: string | null }) {
  if (!at) return <span className="muted">Never</span>
  const expired = (parseServerTime(at)?.getTime() ?? Infinity) <= Date.now()
  return (
    <span className={expired ? "muted" : undefined}>
      {expired ? `Expired ${formatDateTime(at)}` : formatDateTime(at)}
    </span>
  )
}

// Each button names its annotator for screen readers: a table has one "Suspend…" per row.
function Actions({
  annotator: a,
  onSuspend,
  onReinstate,
  onRevokeToken,
  busyId,
}: AnnotatorActions & { annotator: AnnotatorRow }) {
  const busy = busyId === a.id
  return (
    <div className="row-actions">
      {a.status === "ACTIVE" ? (
        <Button variant="ghost" onClick={() => onSuspend(a)} disabled={busy} aria-label={`Suspend ${a.name}`}>
          Suspend…
        </Button>
      ) : (
        <Button variant="ghost" onClick={() => onReinstate(a)} disabled={busy} aria-label={`Reinstate ${a.name}`}>
          {busy ? "Reinstating…" : "Reinstate"}
        </Button>
      )}
      <Button
        variant="ghost"
        onClick={() => onRevokeToken(a)}
        disabled={busy}
        aria-label={`Revoke the token of ${a.name}`}
      >
        Revoke token…
      </Button>
    </div>
  )
}

function AnnotatorLine({
  annotator: a,
  titles,
  ...actions
}: AnnotatorActions & { annotator: AnnotatorRow; titles: ReadonlyMap<string, string> }) {
  return (
    <tr data-testid={`annotator-${a.id}`} data-status={a.status}>
      <td className="title">
        <strong>{a.name}</strong>
        <div className="sub">joined {formatDateTime(a.createdAt)}</div>
        <div className="sub">Invited to: {taskScope(a.taskIds, titles)}</div>
      </td>
      <td>
        {a.status === "ACTIVE" ? (
          <Badge tone="ok" testId={`annotator-status-${a.id}`}>
            Active
          </Badge>
        ) : (
          <Badge tone="danger" testId={`annotator-status-${a.id}`}>
            Suspended
          </Badge>
        )}
        {a.statusReason ? <div className="sub">{a.statusReason}</div> : null}
      </td>
      <td className="n">{formatCount(a.answers)}</td>
      <td className="n">{formatCount(a.tasks)}</td>
      <td className="n">{a.goldAnswers ? formatShareOf(a.goldAccuracy, a.goldAnswers) : DASH}</td>
      <td className="n">{formatPercent(a.agreement)}</td>
      <td className="n">{formatPercent(a.reliability)}</td>
      <td>{a.lastAnswerAt ? formatDateTime(a.lastAnswerAt) : <span className="muted">No answer yet</span>}</td>
      <td>
        <TokenExpiry at={a.tokenExpiresAt} />
      </td>
      <td className="actions">
        <Actions annotator={a} {...actions} />
      </td>
    </tr>
  )
}

const COLUMNS: readonly { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: "name", label: "Annotator" },
  { key: "status", label: "Status" },
  { key: "answers", label: "Answers", numeric: true },
  { key: "tasks", label: "Tasks", numeric: true },
  { key: "goldAccuracy", label: "Gold accuracy", numeric: true },
  { key: "agreement", label: "Agreement", numeric: true },
  { key: "reliability", label: "Reliability", numeric: true },
  { key: "lastAnswerAt", label: "Last answer" },
  { key: "tokenExpiresAt", label: "Token expires" },
]

/** The annotators with what they are judged by, sortable by any column, and what may be done to each. */
export function AnnotatorTable({ annotators, titles, order, onSort, ...actions }: Props) {
  return (
    <div className="table-wrap">
      <table className="tasks crowd" aria-label="Annotators" aria-describedby="annotator-columns">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <SortableHeader
                key={c.key}
                sortKey={c.key}
                current={order}
                onSort={onSort}
                className={c.numeric ? "n" : undefined}
              >
                {c.label}
              </SortableHeader>
            ))}
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {annotators.map((a) => (
            <AnnotatorLine key={a.id} annotator={a} titles={titles} {...actions} />
          ))}
        </tbody>
      </table>
      <p className="muted table-note" id="annotator-columns">
        Tasks: those it has answered in. Gold accuracy: control questions it answered right. Agreement: its answers on
        accepted samples that match the accepted label. Reliability: its expected accuracy as the crowd's answers
        estimate it (Dawid-Skene), over its tasks.
      </p>
    </div>
  )
}
