import { useEffect, useState } from "react"
import { StyleSheet, Text, View } from "react-native"
import { Button, Notice } from "../components"
import { useNavigation } from "../navigation/navigator"
import type { TaskDetail } from "../services/api/hooks"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { spacing, typography } from "../theme"
import { batchName } from "../utils/names"

type Props = { task: TaskDetail; newBatch: boolean }

/** What the annotator can do with this task right now, said plainly. */
export function TaskStatusPanel({ task, newBatch }: Props) {
  const { pending, rejections, clearRejection, queue } = useAnswerQueue()
  const queued = pending.find((s) => s.taskId === task.id)
  const rejection = rejections[task.id]
  return (
    <View style={styles.stack}>
      {rejection ? (
        <Notice tone="danger" title="Answers not accepted" testID="rejected">
          <Text style={typography.body}>{rejection}</Text>
          <Button label="OK" variant="secondary" onPress={() => clearRejection(task.id)} />
        </Notice>
      ) : null}
      {queued ? (
        <Notice tone="warning" title="Answers saved on this phone" testID="queued">
          <Text style={typography.body}>
            {queued.answers.length} answers will be sent as soon as the server can be reached. You can close the app.
          </Text>
          <Button label="Try sending now" variant="secondary" onPress={() => void queue.flush()} testID="retry-now" />
        </Notice>
      ) : (
        <Main task={task} newBatch={newBatch} />
      )}
    </View>
  )
}

function Main({ task, newBatch }: Props) {
  if (task.status === "FAILED") {
    return (
      <Notice tone="danger" title="Training failed" testID="state-failed">
        <Text style={typography.body}>{task.lastError || "The last training round failed."}</Text>
      </Notice>
    )
  }
  if (task.status === "FINISHED") {
    return (
      <Notice tone="info" title="Task finished" testID="state-finished">
        <Text style={typography.body}>The model has learned all it needs here. Thank you for your answers!</Text>
      </Notice>
    )
  }
  if (task.status === "TRAINING") {
    return (
      <Notice tone="warning" title="Training the model…" testID="state-training">
        <Text style={typography.body}>
          The model is learning from the latest answers. The next batch will appear here by itself.
        </Text>
      </Notice>
    )
  }
  if (task.lockedForMe || !task.currentBatch) {
    return (
      <Notice tone="neutral" title="Waiting for the next batch" testID="state-locked">
        <Text style={typography.body}>
          Thanks, your answers are in. Other annotators are still working on this batch; this screen updates by itself
          when the next one is ready.
        </Text>
      </Notice>
    )
  }
  return <OpenBatch task={task} newBatch={newBatch} />
}

function OpenBatch({ task, newBatch }: Props) {
  const { push } = useNavigation()
  const { queue } = useAnswerQueue()
  const batch = task.currentBatch!
  const [answered, setAnswered] = useState(0)
  useEffect(() => {
    void queue.draft(task.id, batch.id).then((a) => setAnswered(a.length))
  }, [queue, task.id, batch.id])
  const total = batch.samples.length
  const label = answered > 0 ? `Continue (${answered} / ${total})` : "Start labelling"
  return (
    <Notice
      tone="success"
      title={newBatch ? "New batch available" : `${batchName(batch.number)} is ready`}
      testID={newBatch ? "state-new-batch" : "state-open"}
    >
      <Text style={typography.body}>
        {total} samples to label. Your answers are saved as you go and sent together at the end.
      </Text>
      <Button label={label} big variant="success" onPress={() => push({ name: "label", taskId: task.id })} testID="start-labelling" />
    </Notice>
  )
}

const styles = StyleSheet.create({
  stack: { gap: spacing.md },
})
