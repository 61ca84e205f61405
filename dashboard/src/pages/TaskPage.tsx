import { useTaskDetail, type TaskDetail } from "../api/hooks"
import { ButtonLink } from "../components/Button"
import { Card } from "../components/Card"
import { Empty, Failed, Loading } from "../components/States"
import { StatTile } from "../components/StatTile"
import { StatusBadge } from "../components/StatusBadge"
import { DASH, formatCount, formatDateTime, formatPercent, humanize } from "../domain/format"
import { latestRound } from "../domain/metrics"
import { finishedWords } from "../domain/stopping"
import { AgreementPanel } from "./task/AgreementPanel"
import { announce } from "./task/announce"
import { BatchPanel } from "./task/BatchPanel"
import { CurvePanel } from "./task/CurvePanel"
import { DeletePanel } from "./task/DeletePanel"
import { DisputedPanel } from "./task/DisputedPanel"
import { ExportPanel } from "./task/ExportPanel"
import { MatrixPanel } from "./task/MatrixPanel"
import { ModelsPanel } from "./task/ModelsPanel"
import { PredictionsPanel } from "./task/PredictionsPanel"
import { SettingsPanel } from "./task/SettingsPanel"

function Stats({ task }: { task: TaskDetail }) {
  const latest = latestRound(task.rounds)
  return (
    <div className="stats">
      <StatTile label="Round" value={latest ? formatCount(latest.number) : DASH} testId="stat-round" />
      <StatTile label="Labelled" value={formatCount(task.labelledCount)} testId="stat-labelled" />
      <StatTile label="Pool remaining" value={formatCount(task.poolRemaining)} />
      <StatTile label="Test accuracy" value={formatPercent(latest?.accuracy)} testId="stat-accuracy" />
      <StatTile label="F1" value={formatPercent(latest?.f1)} />
    </div>
  )
}

function BackToTasks() {
  return (
    <div className="crumb">
      <ButtonLink href="/" variant="ghost">
        ← Tasks
      </ButtonLink>
    </div>
  )
}

/**
 * One task, live: its batch filling up, the learning curve and each round's model, the confusion
 * matrix, the crowd's agreement, the pool's predictions, its settings.
 */
export function TaskPage({ id }: { id: string }) {
  const { task, missing, problem, refetch, lastEvent } = useTaskDetail(id)
  const finished = task ? finishedWords(task.finishedReason, task.scenario) : null
  if (!task) {
    return (
      <>
        <BackToTasks />
        <Card title={missing ? "Task not found" : "Task"}>
          {missing ? (
            <Empty title="This task does not exist" action={<ButtonLink href="/">See all tasks</ButtonLink>}>
              It may have been deleted.
            </Empty>
          ) : problem ? (
            <Failed message={problem} onRetry={refetch} />
          ) : (
            <Loading label="Loading the task" lines={6} />
          )}
        </Card>
      </>
    )
  }
  return (
    <>
      <div className="page-head">
        <div>
          <BackToTasks />
          <div className="title-row">
            <h1>{task.title}</h1>
            <StatusBadge status={task.status} />
          </div>
          <p className="muted" style={{ margin: "6px 0 0" }}>
            {humanize(task.category)} · {humanize(task.subcategory)} · {task.labels.join(" / ")} · created{" "}
            {formatDateTime(task.createdAt)}
          </p>
        </div>
      </div>
      {task.description ? <p style={{ marginTop: -8 }}>{task.description}</p> : null}
      {problem ? (
        <div className="alert" role="alert" style={{ marginBottom: 16 }}>
          {problem}
        </div>
      ) : null}
      {task.status === "FINISHED" && finished ? (
        <div className="alert" data-tone="ok" role="status" data-testid="finished-reason" style={{ marginBottom: 16 }}>
          {finished}
        </div>
      ) : null}
      {task.status === "FAILED" && task.lastError ? (
        <div className="alert" role="alert" style={{ marginBottom: 16 }}>
          The last round failed for good: {task.lastError}
        </div>
      ) : null}
      <Stats task={task} />
      <div className="task-grid">
        <div className="stack">
          <BatchPanel task={task} />
          <CurvePanel task={task} />
          <ModelsPanel task={task} />
        </div>
        <div className="stack">
          <MatrixPanel task={task} />
          <AgreementPanel task={task} />
          <ExportPanel task={task} />
        </div>
        <div className="wide">
          <DisputedPanel task={task} />
        </div>
        <div className="wide">
          <PredictionsPanel task={task} />
        </div>
        <div className="wide">
          <SettingsPanel task={task} />
        </div>
        <div className="wide">
          <DeletePanel task={task} />
        </div>
      </div>
      <div className="visually-hidden" aria-live="polite" data-testid="announcer">
        {announce(lastEvent)}
      </div>
    </>
  )
}
