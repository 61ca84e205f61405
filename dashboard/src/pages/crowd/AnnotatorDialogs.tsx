import { useState } from "react"
import { useRevokeToken, useSuspendAnnotator, type AnnotatorRow, type Suspension } from "../../api/crowd"
import type { FormErrors } from "../../api/problem"
import { ConfirmDialog } from "../../components/ConfirmDialog"
import { TextAreaField } from "../../components/fields"
import { formatCount } from "../../domain/format"
import { placeErrors } from "../formState"

const NO_ERRORS: FormErrors = { fields: {}, form: null }

type SuspendProps = { annotator: AnnotatorRow; onDone: (s: Suspension) => void; onCancel: () => void }

/** Asks for a reason and says what suspending does before it does it. */
export function SuspendDialog({ annotator, onDone, onCancel }: SuspendProps) {
  const { suspend, suspending } = useSuspendAnnotator()
  const [reason, setReason] = useState("")
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const confirm = async () => {
    const outcome = await suspend(annotator.id, reason)
    if (outcome.ok) onDone(outcome.value)
    else setErrors(placeErrors(outcome.errors, ["reason"]))
  }
  return (
    <ConfirmDialog
      title={`Suspend ${annotator.name}?`}
      confirmLabel="Suspend"
      busy={suspending}
      error={errors.form}
      onConfirm={confirm}
      onCancel={onCancel}
    >
      <p>At once:</p>
      <ul className="consequences">
        <li>its token stops working, so it can no longer answer;</li>
        <li>its answers on samples still open stop counting: those samples wait for other annotators;</li>
        <li>labels already decided with its answers stay as they are.</li>
      </ul>
      <p>
        It has {formatCount(annotator.answers)} {annotator.answers === 1 ? "answer" : "answers"}. Reinstating it later
        lets it answer again; the answers taken back now stay uncounted.
      </p>
      <TextAreaField
        name="reason"
        label="Reason"
        hint="Kept with the annotator and shown to it. Leave empty: “suspended by an admin”."
        value={reason}
        onChange={setReason}
        error={errors.fields.reason}
      />
    </ConfirmDialog>
  )
}

/** What the suspension changed, from the server's own counts. */
export function suspensionNotice(s: Suspension): string {
  const uncounted = s.uncountedAnswers === 1 ? "1 answer" : `${formatCount(s.uncountedAnswers)} answers`
  const decided = s.decidedAnswers === 1 ? "1 answer" : `${formatCount(s.decidedAnswers)} answers`
  return (
    `${s.annotator.name} is suspended. ${uncounted} on open samples no longer count; ` +
    `${decided} on samples already decided keep their labels.`
  )
}

type RevokeProps = { annotator: AnnotatorRow; onDone: (a: AnnotatorRow) => void; onCancel: () => void }

/** Revoking a token ends its sessions; the annotator's answers keep counting. */
export function RevokeTokenDialog({ annotator, onDone, onCancel }: RevokeProps) {
  const { revokeToken, revoking } = useRevokeToken()
  const [error, setError] = useState<string | null>(null)
  const confirm = async () => {
    const outcome = await revokeToken(annotator.id)
    if (outcome.ok) onDone(outcome.value)
    else setError(outcome.message)
  }
  return (
    <ConfirmDialog
      title={`Revoke ${annotator.name}’s token?`}
      confirmLabel="Revoke token"
      busy={revoking}
      error={error}
      onConfirm={confirm}
      onCancel={onCancel}
    >
      <p>
        Its token stops working at once, on every device (a lost phone, say). Its answers keep counting. To answer again
        it registers with a new invite.
      </p>
    </ConfirmDialog>
  )
}
