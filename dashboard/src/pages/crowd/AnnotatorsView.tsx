import { useMemo, useState } from "react"
import {
  useAnnotators,
  useReinstateAnnotator,
  useTaskTitles,
  type AnnotatorRow,
  type Suspension,
} from "../../api/crowd"
import { Button, ButtonLink } from "../../components/Button"
import { Card } from "../../components/Card"
import { optionsOf, SelectField } from "../../components/fields"
import { Empty, Failed, Loading } from "../../components/States"
import { formatCount } from "../../domain/format"
import { sortRows } from "../../domain/sort"
import type { AnnotatorStatus } from "../../gql/graphql"
import { AnnotatorStatusValues } from "../../gql/schema-facts"
import { RevokeTokenDialog, SuspendDialog, suspensionNotice } from "./AnnotatorDialogs"
import { AnnotatorTable, type Order, type SortKey } from "./AnnotatorTable"

const STATUS_OPTIONS = [{ value: "", label: "All" }, ...optionsOf(AnnotatorStatusValues)]

type Asking = { kind: "suspend" | "revoke-token"; annotator: AnnotatorRow } | null
type Notice = { tone: "ok" | "danger"; text: string } | null

/** The sort order after a click on `key`'s header: the other way round, or a new column from the top. */
function nextOrder(order: Order, key: SortKey): Order {
  if (order.key !== key) return { key, direction: "ascending" }
  return { key, direction: order.direction === "ascending" ? "descending" : "ascending" }
}

/** Annotators: filter by status, sort by any figure, suspend (with a reason), reinstate, revoke a token. */
export function AnnotatorsView() {
  const [status, setStatus] = useState<AnnotatorStatus | "">("")
  const [order, setOrder] = useState<Order>({ key: "name", direction: "ascending" })
  const [asking, setAsking] = useState<Asking>(null)
  const [notice, setNotice] = useState<Notice>(null)
  const { annotators, problem, refetch } = useAnnotators(status || null)
  const { reinstate } = useReinstateAnnotator()
  const [reinstatingId, setReinstatingId] = useState<string | null>(null)
  const tasks = useTaskTitles()
  const titles = useMemo(() => new Map((tasks ?? []).map((t) => [t.id, t.title])), [tasks])
  const sorted = useMemo(
    () => (annotators ? sortRows(annotators, (a) => a[order.key], order.direction) : undefined),
    [annotators, order],
  )

  const finish = (next: Notice) => {
    setAsking(null)
    setNotice(next)
    refetch()
  }
  const onReinstate = async (a: AnnotatorRow) => {
    setReinstatingId(a.id)
    const outcome = await reinstate(a.id)
    setReinstatingId(null)
    finish(
      outcome.ok
        ? { tone: "ok", text: `${a.name} may answer again. Answers taken back at its suspension stay uncounted.` }
        : { tone: "danger", text: outcome.message },
    )
  }
  const actions = {
    onSuspend: (a: AnnotatorRow) => setAsking({ kind: "suspend", annotator: a }),
    onRevokeToken: (a: AnnotatorRow) => setAsking({ kind: "revoke-token", annotator: a }),
    onReinstate,
    busyId: reinstatingId,
  }
  const heading = sorted
    ? `${formatCount(sorted.length)} ${sorted.length === 1 ? "annotator" : "annotators"}`
    : "Annotators"

  return (
    <Card
      title={heading}
      headingId="annotators-heading"
      aside={
        <SelectField
          name="status"
          label="Status"
          className="inline-field"
          options={STATUS_OPTIONS}
          value={status}
          onChange={(v) => setStatus(v as AnnotatorStatus | "")}
        />
      }
    >
      {notice ? (
        <div
          className="alert notice"
          data-tone={notice.tone}
          role={notice.tone === "ok" ? "status" : "alert"}
          data-testid="crowd-notice"
        >
          <span>{notice.text}</span>
          <Button variant="ghost" onClick={() => setNotice(null)}>
            Dismiss
          </Button>
        </div>
      ) : null}
      {problem && !sorted ? (
        <Failed message={problem} onRetry={refetch} />
      ) : !sorted ? (
        <Loading label="Loading annotators" />
      ) : sorted.length === 0 ? (
        status ? (
          <Empty title={`No ${status.toLowerCase()} annotators`} />
        ) : (
          <Empty title="No annotators yet" action={<ButtonLink href="/crowd/invites">Create an invite</ButtonLink>}>
            Annotators register in the app with an invite’s code or link.
          </Empty>
        )
      ) : (
        <>
          {problem ? (
            <div className="alert" role="alert">
              {problem}
            </div>
          ) : null}
          <AnnotatorTable
            annotators={sorted}
            titles={titles}
            order={order}
            onSort={(k) => setOrder((o) => nextOrder(o, k))}
            {...actions}
          />
        </>
      )}
      {asking?.kind === "suspend" ? (
        <SuspendDialog
          annotator={asking.annotator}
          onDone={(s: Suspension) => finish({ tone: "ok", text: suspensionNotice(s) })}
          onCancel={() => setAsking(null)}
        />
      ) : asking?.kind === "revoke-token" ? (
        <RevokeTokenDialog
          annotator={asking.annotator}
          onDone={(a) => finish({ tone: "ok", text: `${a.name}’s token no longer works; its answers keep counting.` })}
          onCancel={() => setAsking(null)}
        />
      ) : null}
    </Card>
  )
}
