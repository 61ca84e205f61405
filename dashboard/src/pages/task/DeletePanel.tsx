import { useState } from "react"
import { useLocation } from "wouter"
import { useDeleteTask, type TaskDetail } from "../../api/hooks"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { ConfirmDialog } from "../../components/ConfirmDialog"
import { formatCount } from "../../domain/format"

export function DeletePanel({ task }: { task: TaskDetail }) {
  const [asking, setAsking] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { remove, deleting } = useDeleteTask()
  const [, navigate] = useLocation()
  const ask = () => {
    setError(null)
    setAsking(true)
  }
  const confirm = async () => {
    const outcome = await remove(task.id)
    if (outcome.ok) navigate("/")
    else setError(outcome.message)
  }
  return (
    <Card title="Delete this task" headingId="delete-heading">
      <div className="danger-zone">
        <p>Removes the task with its samples, every answer and every round. Annotators can no longer open it.</p>
        <Button variant="danger" onClick={ask}>
          Delete task…
        </Button>
      </div>
      {asking ? (
        <ConfirmDialog
          title={`Delete “${task.title}”?`}
          confirmLabel="Delete for good"
          busy={deleting}
          error={error}
          onConfirm={confirm}
          onCancel={() => setAsking(false)}
        >
          <p>
            {formatCount(task.labelledCount)} labelled samples and {formatCount(task.rounds.length)} rounds go with it.
            This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </Card>
  )
}
