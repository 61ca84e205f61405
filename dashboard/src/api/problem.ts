import type { CombinedError } from "@urql/core"
import { apiFieldName, messageForField } from "../domain/fields"
import { formatRetry } from "../domain/format"

/** What went wrong with a request, in terms the console can act on. */
export type Problem =
  | { kind: "offline" }
  | { kind: "server"; code: string; message: string; field: string | null; retryAfterMs: number | null }

/** Classify an urql error: no GraphQL errors means the request never got a real answer. */
export function toProblem(error: CombinedError): Problem {
  const first = error.graphQLErrors[0]
  if (!first) return { kind: "offline" }
  return serverProblem(first.message, first.extensions ?? {})
}

function serverProblem(message: string, extensions: Record<string, unknown>): Problem {
  const code = typeof extensions.code === "string" ? extensions.code : "INTERNAL"
  const field = typeof extensions.field === "string" ? apiFieldName(extensions.field) : null
  return { kind: "server", code, message, field, retryAfterMs: retryAfterMs(extensions) }
}

/** When the server has room again: a refused mutation says so in seconds, a query budget in ms. */
function retryAfterMs(extensions: Record<string, unknown>): number | null {
  if (typeof extensions.retryAfter === "number") return extensions.retryAfter * 1000
  const reset = (extensions.cost as { resetInMs?: unknown } | undefined)?.resetInMs
  return extensions.code === "RATE_LIMITED" && typeof reset === "number" ? reset : null
}

export function isUnauthenticated(error: CombinedError | undefined): boolean {
  return error?.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED") ?? false
}

// Codes whose server message is meant for the person who sent the request.
const SAY_AS_IS = new Set(["BAD_USER_INPUT", "NOT_FOUND", "CONFLICT", "TASK_LOCKED"])

const PLAIN: Record<string, string> = {
  UNAUTHENTICATED: "The server no longer accepts this token. Sign in again with the admin token it printed at start.",
  FORBIDDEN: "This token may not do that: the console needs the admin token.",
  RATE_LIMITED: "The server is asking this console to slow down. Try again in a minute.",
  INTERNAL: "The server hit an unexpected error. Try again; if it keeps happening, the server's log says why.",
}

/** One plain sentence for the person at the console. */
export function describeProblem(problem: Problem): string {
  if (problem.kind === "offline") {
    return "The server cannot be reached. Check that it is running; the console keeps trying."
  }
  if (SAY_AS_IS.has(problem.code)) return problem.message
  if (problem.code === "RATE_LIMITED" && problem.retryAfterMs !== null) {
    return `The server is asking this console to slow down. Try again ${formatRetry(problem.retryAfterMs)}.`
  }
  return PLAIN[problem.code] ?? `The server refused this (${problem.code}): ${problem.message}`
}

/** A form's errors: next to the fields the server named, and the rest for the whole form. */
export type FormErrors = { fields: Record<string, string>; form: string | null }

export function formErrors(error: CombinedError): FormErrors {
  const fields: Record<string, string> = {}
  const general: string[] = []
  if (error.graphQLErrors.length === 0) general.push(describeProblem({ kind: "offline" }))
  for (const e of error.graphQLErrors) {
    const problem = serverProblem(e.message, e.extensions ?? {})
    const raw = e.extensions?.field
    if (problem.kind === "server" && problem.field && typeof raw === "string" && !(problem.field in fields)) {
      fields[problem.field] = messageForField(raw, e.message)
    } else {
      general.push(describeProblem(problem))
    }
  }
  return { fields, form: general.length ? general.join(" ") : null }
}
