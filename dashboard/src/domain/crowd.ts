// The crowd as the console shows it: why an invite is closed, what an invite or annotator covers.
import { parseServerTime } from "./format"

type InviteFacts = {
  usable: boolean
  revokedAt: string | null
  uses: number
  maxUses: number
  expiresAt: string | null
}

export type InviteState = "usable" | "revoked" | "used-up" | "expired" | "closed"

/** Why an invite takes no more registrations; the server's `usable` decides, this only explains. */
export function inviteState(invite: InviteFacts, now: Date = new Date()): InviteState {
  if (invite.usable) return "usable"
  if (invite.revokedAt) return "revoked"
  if (invite.uses >= invite.maxUses) return "used-up"
  const expires = parseServerTime(invite.expiresAt)
  if (expires && expires <= now) return "expired"
  return "closed"
}

/** The tasks an invite (or the annotator it enrolled) sees, by title; null: every task. */
export function taskScope(taskIds: readonly string[] | null, titles: ReadonlyMap<string, string>): string {
  if (taskIds === null) return "Every task"
  if (taskIds.length === 0) return "No task"
  return taskIds.map((id) => titles.get(id) ?? `Task ${id} (deleted)`).join(", ")
}
