import { ChoiceCard, ConnectionStrip, Screen, StateView } from "../components"
import type { TaskCategory } from "../gql/graphql"
import { useNavigation } from "../navigation/navigator"
import { useCategories } from "../services/api/hooks"
import { categoryName, subcategoryName } from "../utils/names"
import { t } from "../i18n"

/** The kinds of question within one category, with their open task counts. */
export function SubcategoriesScreen({ category }: { category: TaskCategory }) {
  const { push, back } = useNavigation()
  const { data, error, refetch } = useCategories()

  return (
    <Screen
      title={categoryName(category).title}
      subtitle={t("subcategories.subtitle")}
      onBack={back}
      testID="screen-subcategories"
    >
      <ConnectionStrip />
      <StateView data={data} error={error} onRetry={refetch}>
        {({ categories }) =>
          categories
            .find((c) => c.category === category)
            ?.subcategories.map((s) => {
              const info = subcategoryName(s.subcategory)
              return (
                <ChoiceCard
                  key={s.subcategory}
                  title={info.title}
                  blurb={info.blurb}
                  count={s.taskCount}
                  onPress={() => push({ name: "tasks", category, subcategory: s.subcategory })}
                  testID={`subcategory-${s.subcategory}`}
                />
              )
            })
        }
      </StateView>
    </Screen>
  )
}
