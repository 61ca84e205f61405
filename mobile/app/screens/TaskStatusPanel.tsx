import { useEffect, useState } from "react"
import { StyleSheet, View } from "react-native"
import { Button, Notice, Text } from "../components"
import { useNavigation } from "../navigation/navigator"
import { useConnection } from "../services/api/ApiProvider"
import type { TaskDetail } from "../services/api/hooks"
import type { AnswerState } from "../services/queue/answerState"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { spacing, themed, typography } from "../theme"
import { answerChoices, answersSummary } from "../utils/answerChoices"
import { batchName } from "../utils/names"
import { t } from "../i18n"

type Batch = NonNullable<TaskDetail["currentBatch"]>
/** `refetch` asks the server for the task again (what it hands out to me may have changed). */
type Props = { task: TaskDetail; answer: AnswerState<Batch>; newBatch: boolean; refetch: () => void }

// Samples others were handed come free when their lease ends (5 minutes) with no answer: ask again
// now and then while nothing is left for me, or a crowd that waits would wait forever.
const WAITING_POLL_MS = 60_000

/** What the annotator can do with this task right now, said plainly. */
export function TaskStatusPanel({ task, answer, newBatch, refetch }: Props) {
  const styles = useStyles()
  const { rejections, clearRejection, late, clearLate, queue } = useAnswerQueue()
  const rejection = rejections[task.id]
  const tooLate = late[task.id]
  return (
    <View style={styles.stack}>
      {rejection ? (
        <Notice tone="danger" title={rejection.title} testID="rejected">
          <Text style={typography.body}>{rejection.message}</Text>
          <Button label={t("common.ok")} variant="secondary" onPress={() => clearRejection(task.id)} />
        </Notice>
      ) : null}
      {tooLate ? (
        <Notice tone="info" title={t("panel.lateTitle")} testID="answers-late">
          <Text style={typography.body}>{t("panel.late", { count: tooLate.uncounted })}</Text>
          <Button label={t("common.ok")} variant="secondary" onPress={() => clearLate(task.id)} />
        </Notice>
      ) : null}
      {answer.kind === "queued" ? (
        <Notice tone="warning" title={t("panel.queuedTitle")} testID="queued">
          <Text style={typography.body}>{t("panel.queued", { count: answer.submission.answers.length })}</Text>
          <Button
            label={t("panel.sendNow")}
            variant="secondary"
            onPress={() => void queue.flush()}
            testID="retry-now"
          />
        </Notice>
      ) : answer.kind === "open" ? (
        <OpenBatch taskId={task.id} batch={answer.batch} newBatch={newBatch} refetch={refetch} />
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
  const news = connected ? t("panel.newsLive") : t("panel.newsPolling")
  if (task.status === "FAILED") {
    return (
      <Notice tone="danger" title={t("panel.failedTitle")} testID="state-failed">
        <Text style={typography.body}>{task.lastError || t("panel.failed")}</Text>
      </Notice>
    )
  }
  if (task.status === "FINISHED") {
    return (
      <Notice tone="info" title={t("panel.finishedTitle")} testID="state-finished">
        <Text style={typography.body}>{t("panel.finished")}</Text>
      </Notice>
    )
  }
  if (task.status === "TRAINING") {
    return (
      <Notice tone="warning" title={t("panel.trainingTitle")} testID="state-training">
        <Text style={typography.body}>{`${t("panel.training")} ${news}`}</Text>
      </Notice>
    )
  }
  const mine = answersSummary(task.currentBatch?.myAnswers ?? [], answerChoices(task.labels, task.subcategory))
  return (
    <Notice tone="neutral" title={t("panel.lockedTitle")} testID="state-locked">
      <Text style={typography.body}>{`${t("panel.locked")} ${news}`}</Text>
      {mine ? (
        <Text style={typography.body} testID="my-answers">
          {t("panel.yourAnswers", { summary: mine })}
        </Text>
      ) : null}
    </Notice>
  )
}

type OpenProps = { taskId: string; batch: Batch; newBatch: boolean; refetch: () => void }

/**
 * The open batch: the samples handed out to me (or, once I have opened it, those I opened it with),
 * or, when nothing in it is left for me, a wait for the next one.
 */
function OpenBatch({ taskId, batch, newBatch, refetch }: OpenProps) {
  const { push } = useNavigation()
  const { queue } = useAnswerQueue()
  const [mine, setMine] = useState<{ batchId: string; answered: number; opened: number | null } | null>(null)
  useEffect(() => {
    let stale = false
    void Promise.all([queue.draft(taskId, batch.id), queue.opened(taskId, batch.id)]).then(([draft, opened]) => {
      if (!stale) setMine({ batchId: batch.id, answered: draft.length, opened: opened?.sampleIds.length ?? null })
    })
    return () => void (stale = true)
  }, [queue, taskId, batch.id])
  const known = mine?.batchId === batch.id ? mine : null
  const total = known?.opened ?? batch.assigned.length
  const waiting = known !== null && total === 0
  useEffect(() => {
    if (!waiting) return
    const id = setInterval(refetch, WAITING_POLL_MS)
    return () => clearInterval(id)
  }, [waiting, refetch])
  if (known === null) return null
  if (waiting) {
    return (
      <Notice tone="neutral" title={t("panel.nothingLeftTitle")} testID="state-waiting">
        <Text style={typography.body}>{t("panel.nothingLeft")}</Text>
      </Notice>
    )
  }
  const answered = known.answered
  const label = answered > 0 ? t("panel.continue", { done: answered, total }) : t("panel.start")
  return (
    <Notice
      tone="success"
      title={newBatch ? t("panel.newBatch") : t("panel.ready", { batch: batchName(batch.number) })}
      testID={newBatch ? "state-new-batch" : "state-open"}
    >
      <Text style={typography.body}>{t("panel.open", { count: total })}</Text>
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

const useStyles = themed(() => {
  const styles = StyleSheet.create({
    stack: { gap: spacing.md },
  })
  return styles
})
