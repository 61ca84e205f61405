import { useRef, useState, type FormEvent } from "react"
import { useCreateInvite, type CreatedInvite, type NewInvite } from "../../api/crowd"
import type { FormErrors } from "../../api/problem"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { CheckboxGroup, RadioGroup, TextField } from "../../components/fields"
import { MutationCreateInviteArgsDefaults as DEFAULTS } from "../../gql/schema-facts"
import { focusFirstError, parseLocalTime, parseNumber, placeErrors } from "../formState"

type Draft = { scope: "every" | "chosen"; taskIds: string[]; maxUses: string; expiresAt: string; note: string }

// The fields createInvite names in its messages, as this form shows them.
const FIELDS = ["taskIds", "maxUses", "expiresAt", "note"]

const SCOPES = [
  { value: "every", label: "Every task, also those created later" },
  { value: "chosen", label: "Only the tasks chosen below" },
]

function initialDraft(): Draft {
  return { scope: "every", taskIds: [], maxUses: String(DEFAULTS.maxUses), expiresAt: "", note: DEFAULTS.note }
}

/** The draft as createInvite's arguments, or the fields the console could not read. */
function toInvite(draft: Draft): { invite: NewInvite } | { errors: Record<string, string> } {
  const maxUses = parseNumber(draft.maxUses, "int")
  const expires = parseLocalTime(draft.expiresAt)
  const errors: Record<string, string> = {}
  if (typeof maxUses === "string") errors.maxUses = maxUses
  if ("error" in expires) errors.expiresAt = expires.error
  if (typeof maxUses === "string" || "error" in expires) return { errors }
  const taskIds = draft.scope === "every" ? DEFAULTS.taskIds : draft.taskIds
  return { invite: { taskIds, maxUses, expiresAt: expires.iso, note: draft.note } }
}

type Props = { tasks: readonly { id: string; title: string }[] | undefined; onCreated: (made: CreatedInvite) => void }

/** A new invite: which tasks its annotators see, how many may join with it, until when, and a note. */
export function CreateInviteForm({ tasks, onCreated }: Props) {
  const [draft, setDraft] = useState(initialDraft)
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const { create, saving } = useCreateInvite()
  const form = useRef<HTMLFormElement>(null)
  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => setDraft((d) => ({ ...d, [name]: value }))

  const showErrors = (next: FormErrors) => {
    setErrors(next)
    requestAnimationFrame(() => focusFirstError(form.current))
  }
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const parsed = toInvite(draft)
    if ("errors" in parsed) return showErrors({ fields: parsed.errors, form: null })
    const outcome = await create(parsed.invite)
    if (!outcome.ok) return showErrors(placeErrors(outcome.errors, FIELDS))
    setDraft(initialDraft())
    setErrors({ fields: {}, form: null })
    onCreated(outcome.value)
  }

  const choices = (tasks ?? []).map((t) => ({ value: t.id, label: t.title }))
  return (
    <Card title="New invite" headingId="new-invite-heading">
      <form ref={form} className="grid" onSubmit={onSubmit} noValidate aria-labelledby="new-invite-heading">
        <fieldset>
          <RadioGroup
            name="scope"
            legend="Tasks its annotators see"
            options={SCOPES}
            value={draft.scope}
            onChange={(v) => set("scope", v as Draft["scope"])}
          />
          {draft.scope === "chosen" ? (
            <CheckboxGroup
              name="taskIds"
              legend="Chosen tasks"
              options={choices}
              values={draft.taskIds}
              onChange={(v) => set("taskIds", v)}
              hint={tasks && choices.length === 0 ? "There is no task yet." : undefined}
              error={errors.fields.taskIds}
            />
          ) : null}
          <TextField
            name="maxUses"
            label="Registrations it allows"
            type="number"
            step="1"
            hint="One per annotator; the invite closes when they are used up."
            value={draft.maxUses}
            onChange={(v) => set("maxUses", v)}
            error={errors.fields.maxUses}
          />
          <TextField
            name="expiresAt"
            label="Expires"
            type="datetime-local"
            hint="In your time zone. Leave empty: it never expires."
            value={draft.expiresAt}
            onChange={(v) => set("expiresAt", v)}
            error={errors.fields.expiresAt}
          />
          <TextField
            name="note"
            label="Note"
            hint="For you: who it is for, where you shared it. Annotators do not see it."
            value={draft.note}
            onChange={(v) => set("note", v)}
            error={errors.fields.note}
          />
        </fieldset>
        <div className="form-actions">
          {errors.form ? (
            <div className="alert" role="alert" tabIndex={-1} data-form-error data-testid="invite-form-error">
              {errors.form}
            </div>
          ) : null}
          <Button variant="primary" type="submit" disabled={saving}>
            {saving ? "Creating…" : "Create invite"}
          </Button>
          <span className="muted">Its code is shown once, right after.</span>
        </div>
      </form>
    </Card>
  )
}
