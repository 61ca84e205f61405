import { Image, StyleSheet, View } from "react-native"
import { Badge, Card, ConnectionStrip, Empty, Screen, StateView, Text } from "../components"
import type { TaskCategory, TaskSubcategory, TasksQuery } from "../gql/graphql"
import { useNavigation } from "../navigation/navigator"
import { useTasks } from "../services/api/hooks"
import { useAnswerState } from "../services/queue/answerState"
import { spacing, themed, typography } from "../theme"
import { batchName, categoryName, statusName, subcategoryName } from "../utils/names"
import { t } from "../i18n"

type Props = { category: TaskCategory; subcategory: TaskSubcategory }
type TaskRow = TasksQuery["tasks"][number]

/** The tasks of one subcategory: title, status, and whether a batch is waiting for me. */
export function TaskListScreen({ category, subcategory }: Props) {
  const { push, back } = useNavigation()
  const { data, error, refetch } = useTasks(category, subcategory)

  return (
    <Screen
      title={subcategoryName(subcategory).title}
      subtitle={categoryName(category).title}
      onBack={back}
      testID="screen-tasks"
    >
      <ConnectionStrip />
      <StateView data={data} error={error} onRetry={refetch}>
        {({ tasks }) =>
          tasks.length === 0 ? (
            <Empty title={t("tasks.emptyTitle")} message={t("tasks.emptyMessage")} />
          ) : (
            tasks.map((task) => (
              <TaskCard key={task.id} task={task} onPress={() => push({ name: "task", taskId: task.id })} />
            ))
          )
        }
      </StateView>
    </Screen>
  )
}

function TaskCard({ task, onPress }: { task: TaskRow; onPress: () => void }) {
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
