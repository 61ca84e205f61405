import { ConnectionStrip, Empty, Screen, StateView } from "../components"
import type { TaskCategory, TaskSubcategory } from "../gql/graphql"
import { useNavigation } from "../navigation/navigator"
import { useTasks } from "../services/api/hooks"
import { categoryName, subcategoryName } from "../utils/names"
import { TaskCard } from "./TaskCard"
import { t } from "../i18n"

type Props = { category: TaskCategory; subcategory: TaskSubcategory }

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
