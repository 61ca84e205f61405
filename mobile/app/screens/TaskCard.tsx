import { Image, StyleSheet, View } from "react-native"
import { Badge, Card, Text } from "../components"
import type { TasksQuery } from "../gql/graphql"
import { useAnswerState } from "../services/queue/answerState"
import { spacing, themed, typography } from "../theme"
import { batchName, statusName } from "../utils/names"
import { t } from "../i18n"

export type TaskRow = TasksQuery["tasks"][number]
type ListedBatch = NonNullable<TaskRow["currentBatch"]>

/** Samples of the open batch I have not answered yet. */
export const leftForMe = (batch: ListedBatch) => Math.max(0, batch.samples.length - batch.myAnswers.length)

/** One task in a list: title, status, and whether a batch is waiting for me, with how many are left. */
export function TaskCard({ task, onPress }: { task: TaskRow; onPress: () => void }) {
  const styles = useStyles()
  const status = statusName(task.status)
  const answer = useAnswerState(task)
  return (
    <Card onPress={onPress} testID={`task-${task.id}`} accessibilityLabel={task.title}>
      <View style={styles.row}>
        {task.coverImageUrl ? <Image source={{ uri: task.coverImageUrl }} style={styles.thumb} /> : null}
        <View style={styles.grow}>
          <Text style={typography.heading} numberOfLines={2}>
            {task.title}
          </Text>
          <Text style={[typography.caption, styles.dim]}>{t("tasks.labelled", { count: task.labelledCount })}</Text>
        </View>
      </View>
      <View style={styles.badges}>
        <Badge label={status.label} tone={status.tone} />
        {answer.kind === "open" ? (
          <Badge
            label={t("tasks.waiting", { batch: batchName(answer.batch.number) })}
            tone="info"
            testID={`task-${task.id}-waiting`}
          />
        ) : null}
        {answer.kind === "open" ? (
          <Badge
            label={t("tasks.left", { count: leftForMe(answer.batch) })}
            tone="neutral"
            testID={`task-${task.id}-left`}
          />
        ) : null}
      </View>
    </Card>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    badges: { flexDirection: "row", flexWrap: "wrap", gap: spacing.sm },
    dim: { color: colors.textDim },
    grow: { flex: 1, gap: spacing.xxs },
    row: { alignItems: "center", flexDirection: "row", gap: spacing.md },
    thumb: { backgroundColor: colors.neutralSoft, borderRadius: 12, height: 64, width: 64 },
  })
  return styles
})
