import { useEffect, useRef, useState } from "react"
import { Image, StyleSheet, View } from "react-native"
import { Badge, Card, ConnectionStrip, Failed, ProgressBar, Screen, StateView, Text } from "../components"
import { useNavigation } from "../navigation/navigator"
import { useTask, type TaskDetail } from "../services/api/hooks"
import { useAnswerState } from "../services/queue/answerState"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { spacing, themed, typography, useColors } from "../theme"
import { statusName } from "../utils/names"
import { TaskStatusPanel } from "./TaskStatusPanel"
import { percent, t } from "../i18n"

/** One task: cover, description, progress, and what the annotator can do now. */
export function TaskScreen({ taskId }: { taskId: string }) {
  const { back } = useNavigation()
  const { data, error, refetch, lastEvent } = useTask(taskId)
  const { delivered, rejections } = useAnswerQueue()
  const newBatchEvent = lastEvent?.__typename === "NewBatchAvailable"

  // Queued answers just reached the server, or it refused them (the batch may have closed): show
  // what it thinks now rather than offer a batch that is gone.
  const deliveredAt = delivered[taskId]
  const refusedAt = rejections[taskId]?.at
  useEffect(() => {
    if (deliveredAt || refusedAt) refetch()
  }, [deliveredAt, refusedAt, refetch])

  return (
    <Screen title={data?.task?.title ?? t("task.title")} onBack={back} testID="screen-task">
      <ConnectionStrip />
      <StateView data={data} error={error} onRetry={refetch}>
        {({ task }) =>
          task ? (
            <TaskDetails task={task} newBatchEvent={newBatchEvent} refetch={refetch} />
          ) : (
            <Failed message={t("task.gone")} />
          )
        }
      </StateView>
    </Screen>
  )
}

/** The loaded task: what I can do with it now, then how far it has come. */
type DetailsProps = { task: TaskDetail; newBatchEvent: boolean; refetch: () => void }

function TaskDetails({ task, newBatchEvent, refetch }: DetailsProps) {
  const answer = useAnswerState(task)
  const newBatch = useNewBatchNotice(answer.kind === "open", task.currentBatch?.id, newBatchEvent)
  return (
    <>
      <TaskStatusPanel task={task} answer={answer} newBatch={newBatch} refetch={refetch} />
      <Overview task={task} />
    </>
  )
}

/** True when a batch opened while this screen showed the task as locked for me. */
function useNewBatchNotice(open: boolean, currentBatchId: string | undefined, eventSaysNew: boolean): boolean {
  const lockedOn = useRef<string | null>(null)
  const [fresh, setFresh] = useState(false)
  const batchId = currentBatchId ?? "none"
  useEffect(() => {
    if (!open) {
      lockedOn.current = batchId
      setFresh(false)
    } else if (lockedOn.current !== null && lockedOn.current !== batchId) {
      setFresh(true)
    }
  }, [open, batchId])
  return open && (fresh || eventSaysNew)
}

function Overview({ task }: { task: TaskDetail }) {
  const styles = useStyles()
  const colors = useColors()
  const status = statusName(task.status)
  const measured = [...task.rounds].sort((a, b) => b.number - a.number).find((r) => r.accuracy != null)
  const total = task.labelledCount + task.poolRemaining
  const share = total > 0 ? task.labelledCount / total : 0
  return (
    <Card testID="task-overview">
      {task.coverImageUrl ? (
        <Image source={{ uri: task.coverImageUrl }} style={styles.cover} resizeMode="cover" testID="task-cover" />
      ) : null}
      <Badge label={status.label} tone={status.tone} testID="task-status" />
      <Text style={typography.body}>{task.description}</Text>
      <View style={styles.stats}>
        <Stat label={t("task.rounds")} value={String(task.rounds.length)} testID="stat-round" />
        <Stat label={t("task.labelled")} value={String(task.labelledCount)} testID="stat-labelled" />
        <Stat
          label={t("task.accuracy")}
          value={measured?.accuracy != null ? percent(measured.accuracy) : "–"}
          testID="stat-accuracy"
        />
      </View>
      <ProgressBar
        now={task.labelledCount}
        max={total}
        label={t("task.poolShare", { percent: percent(share) })}
        color={colors.success}
        height={10}
        testID="pool-progress"
      />
      <Text style={[typography.caption, styles.dim]}>
        {t("task.poolLine", { labelled: task.labelledCount, remaining: task.poolRemaining })}
      </Text>
    </Card>
  )
}

function Stat({ label, value, testID }: { label: string; value: string; testID: string }) {
  const styles = useStyles()
  return (
    <View style={styles.stat}>
      <Text style={[typography.title, styles.statValue]} testID={testID}>
        {value}
      </Text>
      <Text style={[typography.caption, styles.dim]}>{label}</Text>
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    cover: { aspectRatio: 16 / 9, backgroundColor: colors.neutralSoft, borderRadius: 12, width: "100%" },
    dim: { color: colors.textDim },
    stat: { alignItems: "center", flex: 1 },
    statValue: { color: colors.text },
    stats: { flexDirection: "row", justifyContent: "space-between", paddingVertical: spacing.sm },
  })
  return styles
})
