import { StyleSheet, Text, View } from "react-native"
import { Card, ConnectionStrip, CountPill, Failed, Loading, Screen } from "../components"
import type { TaskCategory } from "../gql/graphql"
import { useNavigation } from "../navigation/navigator"
import { useCategories } from "../services/api/hooks"
import { colors, spacing, typography } from "../theme"
import { categoryNames, subcategoryNames } from "../utils/names"

/** The kinds of question within one category, with their open task counts. */
export function SubcategoriesScreen({ category }: { category: TaskCategory }) {
  const { push, back } = useNavigation()
  const { data, error, refetch } = useCategories()
  const entry = data?.categories.find((c) => c.category === category)

  return (
    <Screen title={categoryNames[category].title} subtitle="Choose a kind of task" onBack={back} testID="screen-subcategories">
      <ConnectionStrip />
      {!data && error ? <Failed message={error} onRetry={refetch} /> : null}
      {!data && !error ? <Loading /> : null}
      {entry?.subcategories.map((s) => {
        const info = subcategoryNames[s.subcategory]
        return (
          <Card
            key={s.subcategory}
            onPress={() => push({ name: "tasks", category, subcategory: s.subcategory })}
            testID={`subcategory-${s.subcategory}`}
            accessibilityLabel={`${info.title}, ${s.taskCount} open tasks`}
          >
            <View style={styles.row}>
              <View style={styles.grow}>
                <Text style={typography.heading}>{info.title}</Text>
                <Text style={[typography.body, styles.dim]}>{info.blurb}</Text>
              </View>
              <CountPill count={s.taskCount} testID={`subcategory-${s.subcategory}-count`} />
            </View>
          </Card>
        )
      })}
    </Screen>
  )
}

const styles = StyleSheet.create({
  row: { flexDirection: "row", alignItems: "center", gap: spacing.md },
  grow: { flex: 1, gap: spacing.xxs },
  dim: { color: colors.textDim },
})
