import { useEffect, useRef, useState, type ReactNode } from "react"
import type { TaskDetail } from "../../api/hooks"
import { usePredictions, type Prediction, type PredictionFilters } from "../../api/predictions"
import { useReviewSample } from "../../api/review"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { SelectField, TextField, type Option } from "../../components/fields"
import { Empty, Failed } from "../../components/States"
import { asSentence, formatCount, formatPercent } from "../../domain/format"
import { latestRound } from "../../domain/metrics"
import { reviewedWords } from "../../domain/review"
import type { CrowdState, PredictionOrder } from "../../gql/graphql"
import { CrowdStateValues, PredictionOrderValues, QueryPredictionsArgsDefaults } from "../../gql/schema-facts"
import { useDebounced } from "./useDebounced"

const STATE_WORDS: Record<CrowdState, string> = {
  UNLABELLED: "Unlabelled",
  ACCEPTED: "Accepted",
  DISPUTED: "Disputed",
  DISCARDED: "Discarded",
}
const ORDER_WORDS: Record<PredictionOrder, string> = {
  CONFIDENCE_DESC: "Most certain first",
  CONFIDENCE_ASC: "Least certain first",
}
const STATE_OPTIONS: Option[] = [
  { value: "", label: "Any" },
  ...CrowdStateValues.map((v) => ({ value: v, label: STATE_WORDS[v] })),
]
const ORDER_OPTIONS: Option[] = PredictionOrderValues.map((v) => ({ value: v, label: ORDER_WORDS[v] }))
const DEFAULT_ORDER = QueryPredictionsArgsDefaults.order
const TYPING_MS = 400
const PLACEHOLDER_TILES = 12

type Form = {
  label: string
  minPercent: string
  maxPercent: string
  state: CrowdState | ""
  disagreements: boolean
  order: PredictionOrder
}
const CLEAR: Form = { label: "", minPercent: "", maxPercent: "", state: "", disagreements: false, order: DEFAULT_ORDER }

/** A percentage field as the API's fraction; "" is no bound. */
function fraction(text: string): { value: number | null } | { error: string } {
  if (text.trim() === "") return { value: null }
  const n = Number(text.trim())
  if (!Number.isFinite(n) || n < 0 || n > 100) return { error: "Enter a percentage from 0 to 100." }
  return { value: n / 100 }
}

function filtersOf(form: Form): { filters: PredictionFilters | null; errors: Record<string, string> } {
  const min = fraction(form.minPercent)
  const max = fraction(form.maxPercent)
  const errors: Record<string, string> = {}
  if ("error" in min) errors.minConfidence = min.error
  if ("error" in max) errors.maxConfidence = max.error
  if ("error" in min || "error" in max) return { filters: null, errors }
  return {
    filters: {
      label: form.label || null,
      minConfidence: min.value,
      maxConfidence: max.value,
      // Disagreements are between accepted labels and predictions: the state is then theirs.
      state: form.disagreements ? null : form.state || null,
      disagreements: form.disagreements,
      order: form.order,
    },
    errors,
  }
}

/**
 * Where the crowd accepted a label the model disagrees with, the owner may correct it
 * (reviewSample DECIDE on an accepted sample): the other labels, the model's first.
 */
function FixLabel({
  p,
  labels,
  busy,
  onFix,
}: {
  p: Prediction
  labels: readonly string[]
  busy: boolean
  onFix: (label: string) => void
}) {
  const [open, setOpen] = useState(false)
  const others = [p.label, ...labels.filter((l) => l !== p.label)].filter((l) => l !== p.crowdLabel)
  if (!open)
    return (
      <button
        type="button"
        className="link-button fix"
        onClick={() => setOpen(true)}
        aria-label={`Fix sample ${p.sample.id}'s label`}
        disabled={busy}
      >
        Fix label
      </button>
    )
  return (
    <div className="fix-choices" role="group" aria-label={`Sample ${p.sample.id}'s label`}>
      {others.map((label) => (
        <Button
          key={label}
          disabled={busy}
          onClick={() => onFix(label)}
          aria-label={`Label sample ${p.sample.id} ${label}`}
        >
          {label}
        </Button>
      ))}
      <Button variant="ghost" disabled={busy} onClick={() => setOpen(false)}>
        Cancel
      </Button>
    </div>
  )
}

function Tile({ p, fix }: { p: Prediction; fix?: ReactNode }) {
  const crowd =
    p.crowdState === "ACCEPTED"
      ? `the crowd accepted ${p.crowdLabel}`
      : p.crowdState === "DISPUTED"
        ? "the crowd disputed it"
        : "not labelled yet"
  const description = `Sample ${p.sample.id}: predicted ${p.label} at ${formatPercent(p.confidence)}; ${crowd}${p.disagrees ? " (disagrees with the model)" : ""}`
  return (
    <li
      className="prediction"
      data-disagrees={p.disagrees}
      data-crowd-state={p.crowdState}
      data-testid={`prediction-${p.sample.id}`}
      data-confidence={p.confidence}
      title={description}
    >
      <div className="thumb">
        {p.sample.mediaUrl ? (
          <img src={p.sample.mediaUrl} alt={description} width={120} height={120} loading="lazy" />
        ) : (
          <div className="text" role="img" aria-label={description}>
            {p.sample.text}
          </div>
        )}
        {p.disagrees ? (
          <span className="flag" aria-hidden="true">
            ≠
          </span>
        ) : null}
      </div>
      <div className="predicted" aria-hidden="true">
        {p.label}
      </div>
      <div className="confidence" aria-hidden="true">
        <span className="bar">
          <span style={{ width: `${Math.round(p.confidence * 100)}%` }} />
        </span>
        <span className="num">{formatPercent(p.confidence)}</span>
      </div>
      <div className="crowd" aria-hidden="true" data-state={p.crowdState}>
        {p.crowdState === "ACCEPTED"
          ? `Crowd: ${p.crowdLabel}`
          : p.crowdState === "DISPUTED"
            ? "Crowd: disputed"
            : "Unlabelled"}
      </div>
      {fix}
    </li>
  )
}

/**
 * The pool as the latest model sees it: a grid of samples with the predicted label and its
 * probability, most certain first, filtered on the server; where the crowd accepted another label
 * the tile is flagged. More pages come by the cursor, appended below. A new round's predictions
 * are offered, not swapped in under the reader's eyes.
 */
export function PredictionsPanel({ task }: { task: TaskDetail }) {
  const [form, setForm] = useState<Form>(CLEAR)
  const [reload, setReload] = useState(0)
  const typed = useDebounced(form, TYPING_MS)
  // Selects and the checkbox apply at once; the percentages once typing pauses.
  const settled = { ...form, minPercent: typed.minPercent, maxPercent: typed.maxPercent }
  const { filters, errors: local } = filtersOf(settled)
  const [lastGood, setLastGood] = useState<PredictionFilters>(() => filtersOf(CLEAR).filters as PredictionFilters)
  const key = filters ? JSON.stringify(filters) : null
  // Set while rendering, not in an effect: the read gets new filters in the render they change in,
  // so no frame shows the old tiles as the answer to the new filters.
  if (key && key !== JSON.stringify(lastGood)) setLastGood(JSON.parse(key) as PredictionFilters)
  const view = usePredictions(task.id, lastGood, reload)
  const { review } = useReviewSample()
  const [fixing, setFixing] = useState<string | null>(null)
  const [fixed, setFixed] = useState<{ ok: boolean; message: string } | null>(null)
  const onFix = async (sampleId: string, label: string) => {
    setFixing(sampleId)
    setFixed(null)
    const result = await review(sampleId, "DECIDE", label)
    setFixing(null)
    setFixed(
      result.ok
        ? { ok: true, message: reviewedWords(sampleId, "DECIDE", label) }
        : { ok: false, message: `Sample ${sampleId} keeps its label. ${asSentence(result.message)}` },
    )
    // Read again: the corrected sample no longer disagrees (it leaves "disagreements only").
    setReload((r) => r + 1)
  }
  const newest = latestRound(task.rounds)?.number ?? null
  const shownRound = view.items[0]?.roundNumber ?? null
  const stale = newest !== null && shownRound !== null && shownRound < newest

  // Nothing shown yet (no round, or nothing matched): a new round's predictions come in at once.
  const showing = view.items.length
  const lastRound = useRef(newest)
  useEffect(() => {
    if (lastRound.current === newest) return
    lastRound.current = newest
    if (showing === 0) setReload((r) => r + 1)
  }, [newest, showing])

  const set = <K extends keyof Form>(name: K, value: Form[K]) => setForm((f) => ({ ...f, [name]: value }))
  // The order is no filter: with any order, nothing shown means no predictions at all.
  const filtered = JSON.stringify({ ...form, order: CLEAR.order }) !== JSON.stringify(CLEAR)
  const fieldError = (name: string) => local[name] ?? view.fields[name]
  const labelOptions: Option[] = [{ value: "", label: "Any" }, ...task.labels.map((l) => ({ value: l, label: l }))]
  const firstLoad = view.status === "loading" && showing === 0

  return (
    <Card
      title="Predictions"
      headingId="predictions-heading"
      aside={
        view.status === "ready" || showing > 0 ? (
          <>
            <span data-testid="predictions-total">
              {formatCount(view.total)} {view.total === 1 ? "sample" : "samples"}
              {shownRound !== null ? ` · round ${shownRound}'s model` : ""}
            </span>
            {/* In the header's line, as a text button: offering them moves nothing on the page. */}
            {stale ? (
              <>
                {" · "}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setReload((r) => r + 1)}
                  data-testid="predictions-stale"
                >
                  Show round {newest}&apos;s predictions
                </button>
              </>
            ) : null}
          </>
        ) : undefined
      }
    >
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter predictions">
        <SelectField
          name="label"
          label="Predicted label"
          value={form.label}
          onChange={(v) => set("label", v)}
          options={labelOptions}
          error={fieldError("label")}
        />
        <TextField
          name="minConfidence"
          label="Confidence from (%)"
          type="number"
          min="0"
          max="100"
          step="1"
          placeholder="0"
          value={form.minPercent}
          onChange={(v) => set("minPercent", v)}
          error={fieldError("minConfidence")}
        />
        <TextField
          name="maxConfidence"
          label="to (%)"
          type="number"
          min="0"
          max="100"
          step="1"
          placeholder="100"
          value={form.maxPercent}
          onChange={(v) => set("maxPercent", v)}
          error={fieldError("maxConfidence")}
        />
        <SelectField
          name="state"
          label="Crowd"
          value={form.disagreements ? "ACCEPTED" : form.state}
          onChange={(v) => set("state", v as CrowdState | "")}
          options={STATE_OPTIONS}
          error={fieldError("state")}
          disabled={form.disagreements}
        />
        <SelectField
          name="order"
          label="Order"
          value={form.order}
          onChange={(v) => set("order", v as PredictionOrder)}
          options={ORDER_OPTIONS}
        />
        <fieldset className="choices toggle">
          <legend>Crowd vs model</legend>
          <label className="choice">
            <input
              type="checkbox"
              checked={form.disagreements}
              onChange={(e) => set("disagreements", e.target.checked)}
              data-testid="disagreements-only"
            />
            Disagreements only
          </label>
        </fieldset>
      </form>

      {view.status === "failed" && showing === 0 && !Object.keys(view.fields).length ? (
        <Failed
          message={view.problem ?? "The predictions could not be read."}
          onRetry={() => setReload((r) => r + 1)}
        />
      ) : view.status === "failed" && view.problem ? (
        <div className="alert" role="alert">
          {view.problem}
        </div>
      ) : null}

      {firstLoad ? (
        <ul className="predictions" role="status" aria-busy="true" aria-label="Loading the predictions">
          {Array.from({ length: PLACEHOLDER_TILES }, (_, i) => (
            <li key={i} className="prediction placeholder">
              <div className="thumb skeleton" />
              <div className="skeleton" style={{ height: 12, marginTop: 8 }} />
            </li>
          ))}
        </ul>
      ) : view.status === "ready" && showing === 0 ? (
        filtered ? (
          <Empty
            title="No prediction matches these filters"
            action={<Button onClick={() => setForm(CLEAR)}>Clear the filters</Button>}
          >
            {form.disagreements ? "Every accepted label that matches these filters is the model's label too." : null}
          </Empty>
        ) : (
          <Empty title="No predictions yet">
            The latest round predicts every pool sample when it has trained; round 0&apos;s come first.
          </Empty>
        )
      ) : showing > 0 ? (
        <>
          <ul
            className="predictions"
            aria-label="Predictions, in the order asked"
            aria-busy={view.status === "loading"}
            data-testid="predictions"
            data-busy={view.status === "loading"}
          >
            {view.items.map((p) => (
              <Tile
                key={p.sample.id}
                p={p}
                fix={
                  p.disagrees && p.crowdState === "ACCEPTED" ? (
                    <FixLabel
                      p={p}
                      labels={task.labels}
                      busy={fixing === p.sample.id}
                      onFix={(label) => void onFix(p.sample.id, label)}
                    />
                  ) : undefined
                }
              />
            ))}
          </ul>
          <div className="load-more">
            <span className="muted" data-testid="predictions-shown">
              Showing {formatCount(showing)} of {formatCount(view.total)}
            </span>
            {view.hasNext ? (
              <Button
                onClick={() => void view.loadMore()}
                disabled={view.more === "loading"}
                aria-busy={view.more === "loading"}
              >
                {view.more === "loading" ? "Loading more…" : "Load more"}
              </Button>
            ) : null}
            {view.more === "failed" ? (
              <span className="error-text" role="alert">
                {view.moreProblem}
              </span>
            ) : null}
          </div>
        </>
      ) : null}
      <p
        className="status-line"
        role="status"
        data-tone={fixed && !fixed.ok ? "danger" : undefined}
        data-testid="fix-status"
      >
        {fixed?.message}
      </p>
    </Card>
  )
}
