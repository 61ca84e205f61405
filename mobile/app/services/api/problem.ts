import { t } from "../../i18n"
import type { CombinedError } from "@urql/core"

/** What went wrong with a request, in terms the app can act on. */
export type Problem = { kind: "network" } | { kind: "server"; code: ErrorCode; message: string }

export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "CONFLICT"
  | "TASK_LOCKED"
  | "RATE_LIMITED"
  | "INTERNAL"
  /** A code this build does not know (a newer server): a refusal, never retried. */
  | "REFUSED"

const KNOWN = new Set<string>([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "CONFLICT",
  "TASK_LOCKED",
  "RATE_LIMITED",
  "INTERNAL",
])

/** Classify an urql error: no GraphQL errors means the request never got a real answer. */
export function toProblem(error: CombinedError): Problem {
  const first = error.graphQLErrors[0]
  if (!first) return { kind: "network" }
  const raw = first.extensions?.code
  const code = typeof raw !== "string" ? "INTERNAL" : KNOWN.has(raw) ? (raw as ErrorCode) : "REFUSED"
  return { kind: "server", code, message: first.message }
}

/** Worth sending again later: the same request may well succeed then. */
export function isRetryable(problem: Problem): boolean {
  return problem.kind === "network" || problem.code === "INTERNAL" || problem.code === "RATE_LIMITED"
}

/** Why a submission was refused, where the answer matters to what the app says and does next. */
export type Refusal = "batchClosed" | "alreadyAnswered"

// The server says both with CONFLICT today, and will give them codes of their own: read either.
const REFUSALS: { refusal: Refusal; codes: string[]; message: RegExp }[] = [
  { refusal: "batchClosed", codes: ["BATCH_CLOSED"], message: /no longer open/i },
  { refusal: "alreadyAnswered", codes: ["ALREADY_ANSWERED"], message: /already answered/i },
]

/** Which known refusal a problem is, or null. */
export function refusalOf(problem: Problem): Refusal | null {
  if (problem.kind !== "server") return null
  const found = REFUSALS.find(({ codes, message }) => codes.includes(problem.code) || message.test(problem.message))
  return found?.refusal ?? null
}

/** One plain sentence for the user, in the language in use. */
export function describeProblem(problem: Problem): string {
  if (problem.kind === "network") return t("problem.network")
  const refusal = refusalOf(problem)
  if (refusal) return t(`problem.${refusal}`)
  switch (problem.code) {
    case "BAD_USER_INPUT":
    case "CONFLICT":
    case "REFUSED":
      return t("problem.refused", { message: problem.message })
    default:
      return t(`problem.${problem.code}`)
  }
}
