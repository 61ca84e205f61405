import { SubNav, type SubLink } from "../components/SubNav"
import { AnnotatorsView } from "./crowd/AnnotatorsView"
import { InvitesView } from "./crowd/InvitesView"

export type CrowdView = "annotators" | "invites"

// The crowd's views. Per-task agreement (Task.agreement: Krippendorff's alpha, the disputed share,
// answers per accepted label) joins them here as a view of its own, one row per task.
const VIEWS: readonly (SubLink & { view: CrowdView })[] = [
  { view: "annotators", href: "/crowd/annotators", label: "Annotators" },
  { view: "invites", href: "/crowd/invites", label: "Invites" },
]

/** Who may answer and whose answers count: the annotators with their figures, and the invites that enrol them. */
export function CrowdPage({ view }: { view: CrowdView }) {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Crowd</h1>
          <p className="muted" style={{ margin: "6px 0 0" }}>
            Annotators join with an invite; suspend one whose answers should stop counting.
          </p>
        </div>
      </div>
      <SubNav label="Crowd" links={VIEWS} />
      {view === "annotators" ? <AnnotatorsView /> : <InvitesView />}
    </>
  )
}
