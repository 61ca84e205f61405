import { useMemo, useState } from "react"
import { useInvites, useRevokeInvite, useTaskTitles, type CreatedInvite, type InviteRow } from "../../api/crowd"
import { Card } from "../../components/Card"
import { ConfirmDialog } from "../../components/ConfirmDialog"
import { Empty, Failed, Loading } from "../../components/States"
import { formatCount } from "../../domain/format"
import { CreatedInviteCard } from "./CreatedInviteCard"
import { CreateInviteForm } from "./CreateInviteForm"
import { InviteTable } from "./InviteTable"

function RevokeInviteDialog({ invite, onClose }: { invite: InviteRow; onClose: (revoked: boolean) => void }) {
  const { revoke, revoking } = useRevokeInvite()
  const [error, setError] = useState<string | null>(null)
  const confirm = async () => {
    const outcome = await revoke(invite.id)
    if (outcome.ok) onClose(true)
    else setError(outcome.message)
  }
  const joined = invite.uses === 1 ? "The annotator" : `The ${formatCount(invite.uses)} annotators`
  return (
    <ConfirmDialog
      title={`Revoke invite …${invite.hint}?`}
      confirmLabel="Revoke invite"
      busy={revoking}
      error={error}
      onConfirm={confirm}
      onCancel={() => onClose(false)}
    >
      <p>
        Nobody can register with it any more.
        {invite.uses > 0 ? ` ${joined} who joined with it keep their access; suspend one to stop it.` : ""}
      </p>
    </ConfirmDialog>
  )
}

/** Invites: make one (its code shown once), see each one's uses, revoke one. */
export function InvitesView() {
  const { invites, problem, refetch } = useInvites()
  const tasks = useTaskTitles()
  const titles = useMemo(() => new Map((tasks ?? []).map((t) => [t.id, t.title])), [tasks])
  const [created, setCreated] = useState<CreatedInvite | null>(null)
  const [revoking, setRevoking] = useState<InviteRow | null>(null)
  const onCreated = (made: CreatedInvite) => {
    setCreated(made)
    refetch()
  }
  const onRevoked = (revoked: boolean) => {
    setRevoking(null)
    if (revoked) refetch()
  }
  const heading = invites ? `${formatCount(invites.length)} ${invites.length === 1 ? "invite" : "invites"}` : "Invites"
  return (
    <div className="stack">
      {created ? <CreatedInviteCard created={created} onDone={() => setCreated(null)} /> : null}
      <CreateInviteForm tasks={tasks} onCreated={onCreated} />
      <Card title={heading} headingId="invites-heading">
        {problem && !invites ? (
          <Failed message={problem} onRetry={refetch} />
        ) : !invites ? (
          <Loading label="Loading invites" />
        ) : invites.length === 0 ? (
          <Empty title="No invites yet">
            Create one above and share its link or code: annotators register with it in the app.
          </Empty>
        ) : (
          <>
            {problem ? (
              <div className="alert" role="alert">
                {problem}
              </div>
            ) : null}
            <InviteTable invites={invites} titles={titles} onRevoke={setRevoking} />
          </>
        )}
      </Card>
      {revoking ? <RevokeInviteDialog invite={revoking} onClose={onRevoked} /> : null}
    </div>
  )
}
