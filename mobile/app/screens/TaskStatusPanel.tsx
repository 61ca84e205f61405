import { useEffect, useState } from "react"
import { StyleSheet, Text, View } from "react-native"
import { Button, Notice } from "../components"
import { useNavigation } from "../navigation/navigator"
import { useConnection } from "../services/api/ApiProvider"
import type { TaskDetail } from "../services/api/hooks"
import type { AnswerState } from "../services/queue/answerState"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { spacing, typography } from "../theme"
import { batchName } from "../utils/names"

type Batch = NonNullable<TaskDetail["currentBatch"]>
type Props = { task: TaskDetail; answer: AnswerState<Batch>; newBatch: boolean }

/** What the annotator can do with this task right now, said plainly. */
export function TaskStatusPanel({ task, answer, newBatch }: Props) {
  const { rejections, clearRejection, queue } = useAnswerQueue()
  const rejection = rejections[task.id]
  return (
    <View style={styles.stack}>
      {rejection ? (
        <Notice tone="danger" title={rejection.title} testID="rejected">
          <Text style={typography.body}>{rejection.message}</Text>
          <Button label="OK" variant="secondary" onPress={() => clearRejection(task.id)} />
        </Notice>
      ) : null}
      {answer.kind === "queued" ? (
        <Notice tone="warning" title="Answers saved on this phone" testID="queued">
          <Text style={typography.body}>
            {answer.submission.answers.length} answers will be sent as soon as the server can be reached. You can close
            the app.
          </Text>
          <Button label="Try sending now" variant="secondary" onPress={() => void queue.flush()} testID="retry-now" />
        </Notice>
      ) : answer.kind === "open" ? (
        <OpenBatch taskId={task.id} batch={answer.batch} newBatch={newBatch} />
      ) : (
        <Locked task={task} />
      )}
    </View>
  )
}

/**
 * Why there is nothing to answer: the task's status, or my answers to this batch are in. What it
 * promises about news agrees with the connection strip: by itself while the live link is up, else
 * by asking every 15 s.
 */
function Locked({ task }: { task: TaskDetail }) {
  const { connected } = useConnection()
  const news = connected
    ? "This screen updates by itself when the next batch is ready."
    : "Live updates are paused, so this screen checks for the next batch every 15 seconds."
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
        <Text style={typography.body}>The model is learning from the latest answers. {news}</Text>
      </Notice>
    )
  }
  return (
    <Notice tone="neutral" title="Waiting for the next batch" testID="state-locked">
      <Text style={typography.body}>
        Thanks, your answers are in. Other annotators are still working on this batch. {news}
      </Text>
    </Notice>
  )
}

function OpenBatch({ taskId, batch, newBatch }: { taskId: string; batch: Batch; newBatch: boolean }) {
  const { push } = useNavigation()
  const { queue } = useAnswerQueue()
  const [answered, setAnswered] = useState(0)
  useEffect(() => {
    void queue.draft(taskId, batch.id).then((a) => setAnswered(a.length))
  }, [queue, taskId, batch.id])
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
      <Button
        label={label}
        big
        variant="success"
        onPress={() => push({ name: "label", taskId })}
        testID="start-labelling"
      />
    </Notice>
  )
}

const styles = StyleSheet.create({
  stack: { gap: spacing.md },
})
