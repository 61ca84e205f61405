import { Button, ChoiceCard, ConnectionStrip, Empty, Screen, StateView, Tile } from "../components"
import { useNavigation } from "../navigation/navigator"
import { useCategories } from "../services/api/hooks"
import { useSession } from "../services/session/SessionContext"
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
      <StateView data={data} error={error} onRetry={refetch}>
        {({ categories }) =>
          categories.length === 0 ? (
            <Empty title="No tasks yet" message="When the team creates a task it will show up here." />
          ) : (
            categories.map((c) => {
              const info = categoryNames[c.category]
              const open = c.subcategories.reduce((n, s) => n + s.taskCount, 0)
              return (
                <ChoiceCard
                  key={c.category}
                  title={info.title}
                  blurb={info.blurb}
                  count={open}
                  onPress={() => push({ name: "subcategories", category: c.category })}
                  testID={`category-${c.category}`}
                  leading={<Tile text={info.icon} color={info.color} />}
                />
              )
            })
          )
        }
      </StateView>
    </Screen>
  )
}
