import type { FormErrors } from "../api/problem"

/** A number field's text as the API's number, or the message to show beside it. */
export function parseNumber(text: string, kind: "int" | "float"): number | string {
  const value = Number(text.trim())
  if (text.trim() === "" || !Number.isFinite(value)) return "Enter a number."
  if (kind === "int" && !Number.isInteger(value)) return "Enter a whole number."
  return value
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
