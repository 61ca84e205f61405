import { useRef, useState, type FormEvent } from "react"
import { useUpdateTask, type TaskDetail } from "../../api/hooks"
import type { FormErrors } from "../../api/problem"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { optionsOf, SelectField, TextAreaField, TextField } from "../../components/fields"
import type { UpdateTaskInput } from "../../gql/graphql"
import {
  AggregationValues,
  QueryStrategyValues,
  RedundancyValues,
  UpdateTaskInputDefaults,
} from "../../gql/schema-facts"
import { focusFirstError, parseNumber, parseOptionalNumber, placeErrors } from "../formState"

// The words for the crowd's settings, shared with the new-task form.
export const AGGREGATION_HINT =
  "Peer rule: the share of answers that agree. Dawid-Skene: answers weighed by each annotator's estimated reliability (minimum agreement is then the confidence a label needs)."
export const REDUNDANCY_HINT =
  "Fixed: the minimum answers on every sample. Adaptive: stop asking once more answers cannot change the label."
export const GOLD_SHARE_HINT = "Share of each batch that is control questions, 0 to 0.5."
export const STOPPING_HINT =
  "The task finishes at the first rule that holds, checked after each round; an empty field is a rule that is off. It always finishes when the pool runs out."
export const LABEL_BUDGET_HINT =
  "Labels to spend in all, the initial training set included; the last batch is cut to fit."
export const TARGET_ACCURACY_HINT = "Finish once a round's evaluation accuracy reaches this, 0 to 1 (e.g. 0.9)."
export const PLATEAU_HINT =
  "Finish once the model stops changing: the mean Cohen's kappa between consecutive rounds' predictions on the pool reaches this, 0 to 1 (e.g. 0.99)."
export const PLATEAU_WINDOW_HINT = "Rounds the plateau's mean is taken over."

// What updateTask may change, as the schema lists it; the stopping rules have no default there
// (left out: unchanged; null: off), so they are named here.
const RULES = [
  "labelBudget",
  "targetAccuracy",
  "plateauAgreement",
] as const satisfies readonly (keyof UpdateTaskInput)[]
type Name = keyof typeof UpdateTaskInputDefaults | (typeof RULES)[number]
const NAMES = [...Object.keys(UpdateTaskInputDefaults), ...RULES] as Name[]
const OFF_WHEN_EMPTY = new Set<Name>(RULES)
const NUMBER_KIND: Partial<Record<Name, "int" | "float">> = {
  labelBudget: "int",
  targetAccuracy: "float",
  plateauAgreement: "float",
  minPeers: "int",
  minAgreement: "float",
  maxPeers: "int",
  batchSize: "int",
  goldShare: "float",
  plateauWindow: "int",
}

function current(task: TaskDetail): Record<Name, string> {
  const s = task.scenario
  return {
    title: task.title,
    description: task.description,
    coverImageUrl: task.coverImageUrl ?? "",
    minPeers: String(s.minPeers),
    minAgreement: String(s.minAgreement),
    maxPeers: String(s.maxPeers),
    queryStrategy: s.queryStrategy,
    batchSize: String(s.batchSize),
    aggregation: s.aggregation,
    redundancy: s.redundancy,
    goldShare: String(s.goldShare),
    plateauWindow: String(s.plateauWindow),
    labelBudget: s.labelBudget == null ? "" : String(s.labelBudget),
    targetAccuracy: s.targetAccuracy == null ? "" : String(s.targetAccuracy),
    plateauAgreement: s.plateauAgreement == null ? "" : String(s.plateauAgreement),
  }
}

/** The edited fields as updateTask's input, or the ones that are not numbers. */
function changes(edits: Partial<Record<Name, string>>, now: Record<Name, string>) {
  const input: Record<string, unknown> = {}
  const errors: Record<string, string> = {}
  for (const [name, value] of Object.entries(edits) as [Name, string][]) {
    if (value === now[name]) continue
    const kind = NUMBER_KIND[name]
    const parsed = kind ? (OFF_WHEN_EMPTY.has(name) ? parseOptionalNumber : parseNumber)(value, kind) : value
    if (typeof parsed === "string" && kind) errors[name] = parsed
    else input[name] = parsed
  }
  return { input: input as UpdateTaskInput, errors }
}

/**
 * What updateTask allows on a running task. Fields nobody is editing follow the server (another
 * tab may change them); only the fields edited here are sent.
 */
export function SettingsPanel({ task }: { task: TaskDetail }) {
  const [edits, setEdits] = useState<Partial<Record<Name, string>>>({})
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const [saved, setSaved] = useState<string | null>(null)
  const { update, saving } = useUpdateTask()
  const form = useRef<HTMLFormElement>(null)
  const now = current(task)
  // A field's name, value (the edit, else the server's), change handler and the server's message.
  const bind = (name: Name) => ({
    name,
    value: edits[name] ?? now[name],
    onChange: (v: string) => {
      setEdits((e) => ({ ...e, [name]: v }))
      setSaved(null)
    },
    error: errors.fields[name],
  })
  const pending = changes(edits, now)
  const dirty = Object.keys(pending.input).length + Object.keys(pending.errors).length > 0

  const showErrors = (next: FormErrors) => {
    setErrors(next)
    requestAnimationFrame(() => focusFirstError(form.current))
  }
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    if (Object.keys(pending.errors).length) return showErrors({ fields: pending.errors, form: null })
    const outcome = await update(task.id, pending.input)
    if (!outcome.ok) return showErrors(placeErrors(outcome.errors, NAMES))
    setEdits({})
    setErrors({ fields: {}, form: null })
    setSaved(
      "Saved. The peer rule applies from the next answer on; strategy, batch size and stopping rules from the next round.",
    )
  }
  const discard = () => {
    setEdits({})
    setErrors({ fields: {}, form: null })
  }
  const field = (name: Name, label: string, hint?: string) => (
    <TextField
      label={label}
      hint={hint}
      {...bind(name)}
      type={NUMBER_KIND[name] ? "number" : name === "coverImageUrl" ? "url" : "text"}
      step={NUMBER_KIND[name] === "float" ? "0.01" : undefined}
      placeholder={OFF_WHEN_EMPTY.has(name) ? "off" : undefined}
    />
  )

  return (
    <Card title="Settings" headingId="settings-heading" aside="Splits, model and seed are fixed at creation.">
      <form ref={form} className="grid" onSubmit={onSubmit} noValidate aria-labelledby="settings-heading">
        <fieldset>
          <legend>Task</legend>
          {field("title", "Title")}
          {field("coverImageUrl", "Cover image URL")}
          <TextAreaField label="Description" className="span-2" {...bind("description")} />
        </fieldset>
        <fieldset>
          <legend>Loop</legend>
          {field("minPeers", "Minimum answers")}
          {field("minAgreement", "Minimum agreement", "Above 0.5, at most 1.")}
          {field("maxPeers", "Maximum answers")}
          <SelectField label="Query strategy" options={optionsOf(QueryStrategyValues)} {...bind("queryStrategy")} />
          {field("batchSize", "Batch size", "For the batches still to come.")}
        </fieldset>
        <fieldset>
          <legend>How answers are weighed</legend>
          <SelectField
            label="Aggregation"
            options={optionsOf(AggregationValues)}
            hint={AGGREGATION_HINT}
            {...bind("aggregation")}
          />
          <SelectField
            label="Redundancy"
            options={optionsOf(RedundancyValues)}
            hint={REDUNDANCY_HINT}
            {...bind("redundancy")}
          />
          {field("goldShare", "Control question share", GOLD_SHARE_HINT)}
        </fieldset>
        <fieldset>
          <legend>When to stop</legend>
          <p className="muted span-all">{STOPPING_HINT}</p>
          {field("labelBudget", "Label budget", LABEL_BUDGET_HINT)}
          {field("targetAccuracy", "Target accuracy", TARGET_ACCURACY_HINT)}
          {field("plateauAgreement", "Plateau agreement", PLATEAU_HINT)}
          {field("plateauWindow", "Plateau rounds", PLATEAU_WINDOW_HINT)}
        </fieldset>
        <div className="form-actions">
          {errors.form ? (
            <div className="alert" role="alert" tabIndex={-1} data-form-error>
              {errors.form}
            </div>
          ) : null}
          <Button variant="primary" type="submit" disabled={!dirty || saving}>
            {saving ? "Saving…" : "Save changes"}
          </Button>
          <Button onClick={discard} disabled={!dirty || saving}>
            Discard
          </Button>
          <span className="status-line" role="status">
            {saved}
          </span>
        </div>
      </form>
    </Card>
  )
}
