import type { InviteRow } from "../../api/crowd"
import { Badge, type Tone } from "../../components/Badge"
import { Button } from "../../components/Button"
import { inviteState, taskScope, type InviteState } from "../../domain/crowd"
import { formatCount, formatDateTime } from "../../domain/format"

const STATE: Record<InviteState, { text: string; tone: Tone }> = {
  "usable": { text: "Usable", tone: "ok" },
  "revoked": { text: "Revoked", tone: "danger" },
  "used-up": { text: "Used up", tone: "muted" },
  "expired": { text: "Expired", tone: "muted" },
  "closed": { text: "Closed", tone: "muted" },
}

type Props = {
  invites: readonly InviteRow[]
  titles: ReadonlyMap<string, string>
  onRevoke: (invite: InviteRow) => void
}

function InviteLine({ invite, titles, onRevoke }: { invite: InviteRow } & Omit<Props, "invites">) {
  const state = STATE[inviteState(invite)]
  return (
    <tr data-testid={`invite-${invite.id}`}>
      <td className="title">
        <span className="mono">…{invite.hint}</span>
        <div className="sub">created {formatDateTime(invite.createdAt)}</div>
      </td>
      <td>{invite.note || <span className="muted">No note</span>}</td>
      <td>{taskScope(invite.taskIds, titles)}</td>
      <td className="n" data-testid={`invite-uses-${invite.id}`}>
        {formatCount(invite.uses)} / {formatCount(invite.maxUses)}
      </td>
      <td>{invite.expiresAt ? formatDateTime(invite.expiresAt) : <span className="muted">Never</span>}</td>
      <td>
        <Badge tone={state.tone} testId={`invite-state-${invite.id}`}>
          {state.text}
        </Badge>
        {invite.revokedAt ? <div className="sub">{formatDateTime(invite.revokedAt)}</div> : null}
      </td>
      <td className="actions">
        {invite.revokedAt ? null : (
          <Button variant="ghost" onClick={() => onRevoke(invite)} aria-label={`Revoke invite …${invite.hint}`}>
            Revoke…
          </Button>
        )}
      </td>
    </tr>
  )
}

/** Every invite: its code's last characters, note, tasks, uses of the allowed, expiry, and whether it still enrols. */
export function InviteTable({ invites, titles, onRevoke }: Props) {
  return (
    <div className="table-wrap">
      <table className="tasks crowd" aria-label="Invites">
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Note</th>
            <th scope="col">Tasks</th>
            <th scope="col" className="n">
              Uses
            </th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invites.map((invite) => (
            <InviteLine key={invite.id} invite={invite} titles={titles} onRevoke={onRevoke} />
          ))}
        </tbody>
      </table>
    </div>
  )
}
