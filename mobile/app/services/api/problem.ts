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
  const code = typeof raw === "string" && KNOWN.has(raw) ? (raw as ErrorCode) : "INTERNAL"
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
  CONFLICT: "You already sent different answers for this batch, so the server kept your first ones.",
  TASK_LOCKED: "This batch is closed: the task moved on before your answers arrived.",
  RATE_LIMITED: "Too many requests right now. The app will try again shortly.",
  INTERNAL: "The server had a problem. The app will try again shortly.",
}

/** One plain sentence for the user. */
export function describeProblem(problem: Problem): string {
  if (problem.kind === "network") return "No connection to the server."
  if (problem.code === "BAD_USER_INPUT") return `${MESSAGES.BAD_USER_INPUT}: ${problem.message}`
  return MESSAGES[problem.code]
}
