import { useRef, useState, type FormEvent } from "react"
import { useLocation } from "wouter"
import { useCreateTask } from "../api/hooks"
import type { FormErrors } from "../api/problem"
import { Button, ButtonLink } from "../components/Button"
import { optionsOf, SelectField, TextAreaField, TextField } from "../components/fields"
import type { CreateTaskInput } from "../gql/graphql"
import {
  AggregationValues,
  CreateTaskInputDefaults as DEFAULTS,
  QueryStrategyValues,
  RedundancyValues,
  TaskCategoryValues,
  TaskSubcategoryValues,
  TrainingModeValues,
} from "../gql/schema-facts"
import { categoryOf } from "../domain/datasets"
import { DatasetSection } from "./create/DatasetSection"
import { focusFirstError, parseNumber, parseOptionalNumber, placeErrors } from "./formState"
import {
  AGGREGATION_HINT,
  GOLD_SHARE_HINT,
  LABEL_BUDGET_HINT,
  PLATEAU_HINT,
  PLATEAU_WINDOW_HINT,
  REDUNDANCY_HINT,
  STOPPING_HINT,
  TARGET_ACCURACY_HINT,
} from "./task/SettingsPanel"

// Number fields of createTask, with the kind of number each takes.
const NUMBERS = {
  initialTrainSize: "int",
  batchSize: "int",
  evalSize: "int",
  testSize: "int",
  minPeers: "int",
  minAgreement: "float",
  maxPeers: "int",
  seed: "int",
  goldShare: "float",
  goldSize: "int",
  plateauWindow: "int",
} as const
type NumberName = keyof typeof NUMBERS

// The stopping rules that are off when left empty (null), with the kind of number each takes.
const OPTIONAL = { labelBudget: "int", targetAccuracy: "float", plateauAgreement: "float" } as const
type OptionalName = keyof typeof OPTIONAL

type Draft = {
  title: string
  description: string
  category: string
  subcategory: string
  labels: string
  dataset: string
  coverImageUrl: string
  queryStrategy: string
  pretrainedModel: string
  trainingMode: string
  aggregation: string
  redundancy: string
} & Record<NumberName | OptionalName, string>

const FIELDS = [
  "title",
  "description",
  "category",
  "subcategory",
  "labels",
  "dataset",
  "coverImageUrl",
  "queryStrategy",
  "pretrainedModel",
  "trainingMode",
  "aggregation",
  "redundancy",
  ...Object.keys(NUMBERS),
  ...Object.keys(OPTIONAL),
]

function initialDraft(): Draft {
  const numbers = Object.fromEntries(Object.keys(NUMBERS).map((k) => [k, String(DEFAULTS[k as NumberName])]))
  return {
    title: "",
    description: "",
    category: TaskCategoryValues[0] ?? "IMAGE",
    subcategory: TaskSubcategoryValues[0] ?? "BINARY_CLASSIFICATION",
    labels: "",
    dataset: "",
    coverImageUrl: "",
    queryStrategy: DEFAULTS.queryStrategy,
    pretrainedModel: DEFAULTS.pretrainedModel,
    trainingMode: DEFAULTS.trainingMode,
    aggregation: DEFAULTS.aggregation,
    redundancy: DEFAULTS.redundancy,
    ...(numbers as Record<NumberName, string>),
    // Off unless given (the schema's default is null for each).
    labelBudget: "",
    targetAccuracy: "",
    plateauAgreement: "",
  }
}

/** The draft as createTask's input, or the fields the console could not read as numbers. */
function toInput(draft: Draft): { input: CreateTaskInput } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const numbers: Partial<Record<NumberName, number>> = {}
  for (const [name, kind] of Object.entries(NUMBERS) as [NumberName, "int" | "float"][]) {
    const parsed = parseNumber(draft[name], kind)
    if (typeof parsed === "string") errors[name] = parsed
    else numbers[name] = parsed
  }
  const rules: Partial<Record<OptionalName, number | null>> = {}
  for (const [name, kind] of Object.entries(OPTIONAL) as [OptionalName, "int" | "float"][]) {
    const parsed = parseOptionalNumber(draft[name], kind)
    if (typeof parsed === "string") errors[name] = parsed
    else rules[name] = parsed
  }
  if (Object.keys(errors).length) return { errors }
  return {
    input: {
      ...(numbers as Record<NumberName, number>),
      ...(rules as Record<OptionalName, number | null>),
      title: draft.title,
      description: draft.description,
      category: draft.category as CreateTaskInput["category"],
      subcategory: draft.subcategory as CreateTaskInput["subcategory"],
      labels: draft.labels
        .split(/[\n,]/)
        .map((l) => l.trim())
        .filter(Boolean),
      dataset: draft.dataset,
      coverImageUrl: draft.coverImageUrl.trim() || null,
      queryStrategy: draft.queryStrategy as CreateTaskInput["queryStrategy"],
      pretrainedModel: draft.pretrainedModel.trim(),
      trainingMode: draft.trainingMode as CreateTaskInput["trainingMode"],
      aggregation: draft.aggregation as CreateTaskInput["aggregation"],
      redundancy: draft.redundancy as CreateTaskInput["redundancy"],
    },
  }
}

/** Every createTask field, with the server's own message next to the field it refused. */
export function CreateTaskPage() {
  const [draft, setDraft] = useState(initialDraft)
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const { create, saving } = useCreateTask()
  const [, navigate] = useLocation()
  const form = useRef<HTMLFormElement>(null)

  // A field's name, value, change handler and the server's message for it.
  const bind = (name: keyof Draft) => ({
    name,
    value: draft[name],
    onChange: (value: string) => setDraft((d) => ({ ...d, [name]: value })),
    error: errors.fields[name],
  })
  const text = (name: keyof Draft, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField label={label} {...bind(name)} {...extra} />
  )
  const number = (name: NumberName | OptionalName, label: string, hint?: string, placeholder?: string) =>
    text(name, label, {
      type: "number",
      hint,
      placeholder,
      step: ({ ...NUMBERS, ...OPTIONAL } as Record<string, string>)[name] === "float" ? "0.01" : "1",
    })

  const showErrors = (next: FormErrors) => {
    setErrors(next)
    requestAnimationFrame(() => focusFirstError(form.current))
  }
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const parsed = toInput(draft)
    if ("errors" in parsed) return showErrors({ fields: parsed.errors, form: null })
    const outcome = await create(parsed.input)
    if (outcome.ok) navigate(`/tasks/${outcome.value}`)
    else showErrors(placeErrors(outcome.errors, FIELDS))
  }

  return (
    <>
      <div className="page-head">
        <div>
          <div className="crumb">
            <ButtonLink href="/" variant="ghost">
              ← Tasks
            </ButtonLink>
          </div>
          <h1>New task</h1>
        </div>
      </div>
      <form ref={form} className="grid" onSubmit={onSubmit} noValidate aria-label="New task">
        <DatasetSection
          value={draft.dataset}
          onPick={(d) =>
            setDraft((old) => ({ ...old, dataset: d.name, category: categoryOf(d.kind), labels: d.labels.join("\n") }))
          }
        />
        <fieldset>
          <legend>What to label</legend>
          {text("title", "Title", { required: true, className: "span-2" })}
          <TextAreaField
            label="Description"
            hint="What annotators are asked, in their words."
            className="span-2"
            {...bind("description")}
          />
          <SelectField label="Category" options={optionsOf(TaskCategoryValues)} {...bind("category")} />
          <SelectField label="Kind of task" options={optionsOf(TaskSubcategoryValues)} {...bind("subcategory")} />
          <TextAreaField
            label="Labels"
            hint="One per line, exactly as the dataset names them. For a yes/no task the second is the positive class."
            {...bind("labels")}
          />
          {text("dataset", "Dataset", {
            hint: "The name of a folder in the server's datasets/ (e.g. the demo's), or a dataset folder's path on the server.",
            placeholder: "e.g. fashion-mnist-long-sleeves",
          })}
          {text("coverImageUrl", "Cover image URL", {
            type: "url",
            hint: "Optional: shown on the annotators' task list.",
            placeholder: "https://…",
          })}
        </fieldset>
        <fieldset>
          <legend>How the model learns</legend>
          {number("initialTrainSize", "Initial training set", "Labelled samples round 0 trains on.")}
          {number("batchSize", "Batch size", "Samples the crowd labels per round.")}
          {number("evalSize", "Evaluation set", "Held out to watch rounds by.")}
          {number("testSize", "Test set", "Held out; its scores are the learning curve.")}
          <SelectField
            label="Query strategy"
            hint="How the next batch is picked from the pool."
            options={optionsOf(QueryStrategyValues)}
            {...bind("queryStrategy")}
          />
          {text("pretrainedModel", "Pretrained model", {
            hint: "Leave empty for the category's default model.",
            placeholder: "default",
          })}
          <SelectField
            label="Training mode"
            hint="Head: train the last layer only (fast). Fine-tune: the whole network."
            options={optionsOf(TrainingModeValues)}
            {...bind("trainingMode")}
          />
          {number("seed", "Seed", "Same seed, same splits and picks.")}
        </fieldset>
        <fieldset>
          <legend>When a label counts</legend>
          {number("minPeers", "Minimum answers", "A sample needs at least this many answers.")}
          {number("minAgreement", "Minimum agreement", "Share of answers that must agree, above 0.5 and at most 1.")}
          {number("maxPeers", "Maximum answers", "Still no agreement at this many: the sample is disputed.")}
          <SelectField
            label="Aggregation"
            hint={AGGREGATION_HINT}
            options={optionsOf(AggregationValues)}
            {...bind("aggregation")}
          />
          <SelectField
            label="Redundancy"
            hint={REDUNDANCY_HINT}
            options={optionsOf(RedundancyValues)}
            {...bind("redundancy")}
          />
          {number(
            "goldSize",
            "Control questions",
            "Labelled samples set aside to check annotators (never trained on).",
          )}
          {number("goldShare", "Control question share", GOLD_SHARE_HINT)}
        </fieldset>
        <fieldset>
          <legend>When to stop</legend>
          <p className="muted span-all">{STOPPING_HINT}</p>
          {number("labelBudget", "Label budget", LABEL_BUDGET_HINT, "no budget")}
          {number("targetAccuracy", "Target accuracy", TARGET_ACCURACY_HINT, "off")}
          {number("plateauAgreement", "Plateau agreement", PLATEAU_HINT, "off")}
          {number("plateauWindow", "Plateau rounds", PLATEAU_WINDOW_HINT)}
        </fieldset>
        <div className="form-actions">
          {errors.form ? (
            <div className="alert" role="alert" tabIndex={-1} data-form-error data-testid="form-error">
              {errors.form}
            </div>
          ) : null}
          <Button variant="primary" type="submit" disabled={saving}>
            {saving ? "Creating…" : "Create task"}
          </Button>
          <span className="muted">Round 0 starts training as soon as the task exists.</span>
        </div>
      </form>
    </>
  )
}
