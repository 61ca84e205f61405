import { t } from "../../i18n"
import type { CombinedError } from "@urql/core"

/**
 * What went wrong with a request, in terms the app can act on; `field` names the argument the
 * server found wrong (BAD_USER_INPUT), when it says.
 */
export type Problem = { kind: "network" } | { kind: "server"; code: ErrorCode; message: string; field?: string }

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
  const field = first.extensions?.field
  return { kind: "server", code, message: first.message, ...(typeof field === "string" ? { field } : {}) }
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

/** Why the server would not enrol anyone with an invite code (BAD_USER_INPUT on `invite`). */
export type InviteProblem = "unknown" | "revoked" | "expired" | "usedUp" | "other"

// The server says which in its message only (activecrowds/domain/crowd.py, Invite.problem).
const INVITE_PROBLEMS: { problem: InviteProblem; message: RegExp }[] = [
  { problem: "unknown", message: /no such invite/i },
  { problem: "revoked", message: /revoked/i },
  { problem: "expired", message: /expired/i },
  { problem: "usedUp", message: /has been used/i },
]

/** What is wrong with the invite code the user gave, or null when the problem is not the code. */
export function inviteProblemOf(problem: Problem): InviteProblem | null {
  if (problem.kind !== "server" || problem.code !== "BAD_USER_INPUT" || problem.field !== "invite") return null
  return INVITE_PROBLEMS.find(({ message }) => message.test(problem.message))?.problem ?? "other"
}

/** Why the server stopped accepting a sign-in (its UNAUTHENTICATED message says which). */
export type AccessEnd = "suspended" | "expired" | "revoked"

/** Which end of access an UNAUTHENTICATED message tells of; "revoked" for a token it does not know. */
export function accessEndOf(message: string): AccessEnd {
  if (/suspended/i.test(message)) return "suspended"
  if (/expired/i.test(message)) return "expired"
  return "revoked"
}

/** True for the server refusing the token a request was sent with (suspended, revoked, expired). */
export function isTokenRefused(result: { kind: string } | null): result is Extract<Problem, { kind: "server" }> {
  return result?.kind === "server" && (result as Extract<Problem, { kind: "server" }>).code === "UNAUTHENTICATED"
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
