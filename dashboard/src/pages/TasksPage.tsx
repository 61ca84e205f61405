import { Link } from "wouter"
import { useTaskList } from "../api/hooks"
import { BatchProgressBar } from "../components/BatchProgressBar"
import { ButtonLink } from "../components/Button"
import { Card } from "../components/Card"
import { Empty, Failed, Loading } from "../components/States"
import { StatusBadge } from "../components/StatusBadge"
import { DASH, formatCount, formatDateTime, formatPercent, humanize } from "../domain/format"
import { batchProgress, latestRound } from "../domain/metrics"
import type { TaskListQuery } from "../gql/graphql"

type Row = TaskListQuery["tasks"][number]

/** What the batch column says of a task without an open batch. */
const BATCH_WORDS: Partial<Record<Row["status"], string>> = {
  TRAINING: "Training…",
  FINISHED: "Finished",
  FAILED: "Stopped",
}

function TaskRow({ task }: { task: Row }) {
  const latest = latestRound(task.rounds)
  const batch = task.currentBatch?.status === "OPEN" ? task.currentBatch : null
  return (
    <tr data-testid={`task-${task.id}`}>
      <td className="title">
        <Link href={`/tasks/${task.id}`}>{task.title}</Link>
        <div className="sub">
          {humanize(task.category)} · {humanize(task.subcategory)}
        </div>
      </td>
      <td>
        <StatusBadge status={task.status} />
      </td>
      <td className="n">{latest ? formatCount(latest.number) : DASH}</td>
      <td className="n">{formatCount(task.labelledCount)}</td>
      <td className="n" data-testid={`accuracy-${task.id}`}>
        {formatPercent(latest?.accuracy)}
      </td>
      <td className="col-progress">
        {batch ? (
          <BatchProgressBar progress={batchProgress(batch.samples)} label={`Batch ${batch.number} of ${task.title}`} />
        ) : (
          <span className="muted" data-testid={`batch-${task.id}`}>
            {BATCH_WORDS[task.status] ?? DASH}
          </span>
        )}
      </td>
      <td className="col-created muted">{formatDateTime(task.createdAt)}</td>
    </tr>
  )
}

/** Every task at a glance, live: status, round, labels, accuracy, the open batch's progress. */
export function TasksPage() {
  const { tasks, problem, refetch } = useTaskList()
  const newest = tasks ? [...tasks].sort((a, b) => Number(b.id) - Number(a.id)) : undefined
  return (
    <>
      <div className="page-head">
        <h1>Tasks</h1>
        <div className="actions">
          <ButtonLink href="/tasks/new" variant="primary">
            New task
          </ButtonLink>
        </div>
      </div>
      <Card title={newest ? `${formatCount(newest.length)} ${newest.length === 1 ? "task" : "tasks"}` : "Tasks"}>
        {problem && !newest ? (
          <Failed message={problem} onRetry={refetch} />
        ) : !newest ? (
          <Loading label="Loading tasks" />
        ) : newest.length === 0 ? (
          <Empty
            title="No tasks yet"
            action={
              <ButtonLink href="/tasks/new" variant="primary">
                Create the first task
              </ButtonLink>
            }
          >
            A task is a dataset, its labels and the rules a label must pass. Create one, and the first round trains at
            once.
          </Empty>
        ) : (
          <div className="table-wrap">
            {problem ? (
              <div className="alert" role="alert">
                {problem}
              </div>
            ) : null}
            <table className="tasks">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="n">
                    Round
                  </th>
                  <th scope="col" className="n">
                    Labelled
                  </th>
                  <th scope="col" className="n">
                    Accuracy
                  </th>
                  <th scope="col" className="col-progress">
                    Current batch
                  </th>
                  <th scope="col" className="col-created">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody>
                {newest.map((task) => (
                  <TaskRow key={task.id} task={task} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  )
}
