import { lazy, Suspense } from "react"
import type { CreatedInvite } from "../../api/crowd"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { CopyField } from "../../components/CopyField"

// The QR library is needed only once an invite exists: loaded then.
const QrCode = lazy(() => import("../../components/QrCode"))

type Props = { created: CreatedInvite; onDone: () => void }

/**
 * The new invite's code and link, the only time the console can show them: the server keeps a
 * hash of the code and its last four characters, nothing else.
 */
export function CreatedInviteCard({ created, onDone }: Props) {
  const { code, link, invite } = created
  return (
    <Card title="Invite created" headingId="created-invite-heading" className="created-invite">
      <div data-testid="created-invite">
        <p className="alert" data-tone="info">
          Copy the code or the link now. This is the only time they are shown: afterwards the list shows the code’s last
          four characters (…{invite.hint}) and nothing more.
        </p>
        <div className="invite-share">
          <div className="stack">
            <CopyField label="Code" value={code} testId="invite-code" monospace autoFocus />
            <CopyField label="Link" value={link} testId="invite-link" />
            <p className="muted">
              The link opens the annotator app with the code filled in; the code can also be typed in the app.
            </p>
          </div>
          <figure className="qr-figure">
            <Suspense fallback={<div className="qr-placeholder" aria-hidden="true" />}>
              <QrCode value={link} label="QR code of the invite link" />
            </Suspense>
            <figcaption>Scan to open the link on a phone.</figcaption>
          </figure>
        </div>
        <div className="form-actions">
          <Button variant="primary" onClick={onDone}>
            Done: I have shared it
          </Button>
        </div>
      </div>
    </Card>
  )
}
