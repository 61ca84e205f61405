import { CategoriesScreen, LabellingScreen, SubcategoriesScreen, TaskListScreen, TaskScreen } from "../screens"
import { useNavigation } from "./navigator"

/** The screen for the current route; keyed so each visit starts fresh. */
export function AppNavigator() {
  const { route } = useNavigation()
  switch (route.name) {
    case "categories":
      return <CategoriesScreen />
    case "subcategories":
      return <SubcategoriesScreen key={route.category} category={route.category} />
    case "tasks":
      return <TaskListScreen key={`${route.category}/${route.subcategory}`} {...route} />
    case "task":
      return <TaskScreen key={`task/${route.taskId}`} taskId={route.taskId} />
    case "label":
      return <LabellingScreen key={`label/${route.taskId}`} taskId={route.taskId} />
  }
}
