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

const MESSAGES: Record<ErrorCode, string> = {
  UNAUTHENTICATED: "Your sign-in is no longer valid. Please sign in again.",
  FORBIDDEN: "Your account is not allowed to do that.",
  NOT_FOUND: "This task no longer exists.",
  BAD_USER_INPUT: "The server did not accept this",
  CONFLICT: "The server did not accept this",
  REFUSED: "The server did not accept this",
  TASK_LOCKED: "This batch is closed: the task moved on before your answers arrived.",
  RATE_LIMITED: "Too many requests right now. The app will try again shortly.",
  INTERNAL: "The server had a problem. The app will try again shortly.",
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

const REFUSAL_MESSAGES: Record<Refusal, string> = {
  batchClosed:
    "Other annotators finished this batch while you were offline, so these answers could not be counted. The batch open now is below.",
  alreadyAnswered: "You have already answered this batch; the server keeps the answers it got first.",
}

/** One plain sentence for the user. */
export function describeProblem(problem: Problem): string {
  if (problem.kind === "network") return "No connection to the server."
  const refusal = refusalOf(problem)
  if (refusal) return REFUSAL_MESSAGES[refusal]
  if (["BAD_USER_INPUT", "CONFLICT", "REFUSED"].includes(problem.code)) {
    return `${MESSAGES[problem.code]}: ${problem.message}`
  }
  return MESSAGES[problem.code]
}
