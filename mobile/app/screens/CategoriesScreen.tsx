import { StyleSheet, Text, View } from "react-native"
import { Button, Card, ConnectionStrip, CountPill, Empty, Failed, Loading, Screen, Tile } from "../components"
import { useNavigation } from "../navigation/navigator"
import { useCategories } from "../services/api/hooks"
import { useSession } from "../services/session/SessionContext"
import { colors, spacing, typography } from "../theme"
import { categoryNames } from "../utils/names"

/** The kinds of work on offer, each with how many tasks are open. */
export function CategoriesScreen() {
  const { push } = useNavigation()
  const { state, signOut } = useSession()
  const { data, error, refetch } = useCategories()
  const name = state.status === "signedIn" ? state.session.name : ""

  return (
    <Screen
      title="Tasks"
      subtitle={name ? `Signed in as ${name}` : undefined}
      right={<Button label="Sign out" variant="ghost" onPress={() => void signOut()} testID="sign-out" />}
      testID="screen-categories"
    >
      <ConnectionStrip />
      {!data && error ? <Failed message={error} onRetry={refetch} /> : null}
      {!data && !error ? <Loading /> : null}
      {data && data.categories.length === 0 ? (
        <Empty title="No tasks yet" message="When the team creates a task it will show up here." />
      ) : null}
      {data?.categories.map((c) => {
        const info = categoryNames[c.category]
        const open = c.subcategories.reduce((n, s) => n + s.taskCount, 0)
        return (
          <Card
            key={c.category}
            onPress={() => push({ name: "subcategories", category: c.category })}
            testID={`category-${c.category}`}
            accessibilityLabel={`${info.title}, ${open} open tasks`}
          >
            <View style={styles.row}>
              <Tile text={info.icon} color={info.color} />
              <View style={styles.grow}>
                <Text style={typography.heading}>{info.title}</Text>
                <Text style={[typography.body, styles.dim]}>{info.blurb}</Text>
              </View>
              <CountPill count={open} testID={`category-${c.category}-count`} />
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
