import { Badge, type Tone } from "./Badge"

export type Status = "COLLECTING" | "TRAINING" | "FINISHED" | "FAILED"

const LOOK: Record<Status, { text: string; tone: Tone }> = {
  COLLECTING: { text: "Collecting answers", tone: "info" },
  TRAINING: { text: "Training", tone: "warn" },
  FINISHED: { text: "Finished", tone: "ok" },
  FAILED: { text: "Failed", tone: "danger" },
}

export function StatusBadge({ status }: { status: Status }) {
  const { text, tone } = LOOK[status]
  return (
    <Badge tone={tone} testId="status">
      {text}
    </Badge>
  )
}
