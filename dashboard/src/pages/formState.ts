import type { FormErrors } from "../api/problem"

/** A number field's text as the API's number, or the message to show beside it. */
export function parseNumber(text: string, kind: "int" | "float"): number | string {
  const value = Number(text.trim())
  if (text.trim() === "" || !Number.isFinite(value)) return "Enter a number."
  if (kind === "int" && !Number.isInteger(value)) return "Enter a whole number."
  return value
}

/** An optional number field's text: empty is null (a rule off), else as parseNumber reads it. */
export function parseOptionalNumber(text: string, kind: "int" | "float"): number | null | string {
  return text.trim() === "" ? null : parseNumber(text, kind)
}

/** Errors for fields this form does not show go to the whole form, so none is lost. */
export function placeErrors(errors: FormErrors, shown: readonly string[]): FormErrors {
  const fields: Record<string, string> = {}
  const rest: string[] = errors.form ? [errors.form] : []
  for (const [name, message] of Object.entries(errors.fields)) {
    if (shown.includes(name)) fields[name] = message
    else rest.push(message)
  }
  return { fields, form: rest.length ? rest.join(" ") : null }
}

/** Move focus to the first field the server refused, else to the form's message. */
export function focusFirstError(form: HTMLFormElement | null): void {
  const target = form?.querySelector<HTMLElement>('[aria-invalid="true"], [data-form-error]')
  target?.focus()
}

/**
 * A datetime-local field's text, in the reader's time zone, as the API's time (UTC, ISO 8601);
 * empty: none. Otherwise the message to show beside it.
 */
export function parseLocalTime(text: string): { iso: string | null } | { error: string } {
  if (text.trim() === "") return { iso: null }
  // "2026-12-02T10:30" without a zone is local time (ECMAScript's rule for date-time forms).
  const date = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(text.trim()) ? new Date(text.trim()) : null
  if (!date || Number.isNaN(date.getTime())) return { error: "Enter a date and time." }
  return { iso: date.toISOString() }
}
