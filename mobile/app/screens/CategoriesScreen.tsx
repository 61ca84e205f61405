import { useState } from "react"
import { Button, ChoiceCard, ConnectionStrip, Empty, Screen, StateView, Tile } from "../components"
import { useNavigation } from "../navigation/navigator"
import { useCategories, useTasks } from "../services/api/hooks"
import { answerState } from "../services/queue/answerState"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { useSignOut, type SignOutCheck } from "../services/queue/signOut"
import { useSession } from "../services/session/SessionContext"
import { categoryName } from "../utils/names"
import { SignOutCheckNotice } from "./SignOutCheckNotice"
import { TaskCard, type TaskRow } from "./TaskCard"
import { t } from "../i18n"

/** Up to this many tasks the home lists them all; more are grouped by category. */
export const FLAT_HOME_MAX_TASKS = 8

/**
 * Home: my tasks in one list, what waits for me first; the kinds of work on offer (each with how
 * many tasks are open) only when there are too many tasks for one list.
 */
export function CategoriesScreen() {
  const { push } = useNavigation()
  const { state } = useSession()
  const { data, error, refetch } = useCategories()
  const mine = useTasks()
  const { pending, answered } = useAnswerQueue()
  const tasks = mine.data?.tasks
  const flat = tasks && tasks.length > 0 && tasks.length <= FLAT_HOME_MAX_TASKS ? tasks : null
  const waitingFirst = (list: TaskRow[]) => {
    const open = (task: TaskRow) => (answerState(task, pending, answered).kind === "open" ? 0 : 1)
    return [...list].sort((a, b) => open(a) - open(b))
  }
  const name = state.status === "signedIn" ? state.session.name : ""
  const signOut = useGuardedSignOut()

  return (
    <Screen
      title={flat ? t("home.myTasks") : t("categories.title")}
      subtitle={name ? t("categories.signedInAs", { name }) : undefined}
      right={
        <Button
          label={t("categories.signOut")}
          variant="ghost"
          busy={signOut.busy}
          onPress={signOut.start}
          testID="sign-out"
        />
      }
      testID="screen-categories"
    >
      {signOut.check ? (
        <SignOutCheckNotice
          check={signOut.check}
          busy={signOut.busy}
          onConfirm={signOut.confirm}
          onCancel={signOut.cancel}
        />
      ) : null}
      <ConnectionStrip />
      {flat ? (
        waitingFirst(flat).map((task) => (
          <TaskCard key={task.id} task={task} onPress={() => push({ name: "task", taskId: task.id })} />
        ))
      ) : (
        <StateView data={data} error={error} onRetry={refetch}>
          {({ categories }) =>
            categories.length === 0 ? (
              <Empty title={t("categories.emptyTitle")} message={t("categories.emptyMessage")} />
            ) : (
              categories.map((c) => {
                const info = categoryName(c.category)
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
      )}
    </Screen>
  )
}

/** Sign out at once when nothing is left on the phone; else ask first (SignOutCheckNotice). */
function useGuardedSignOut() {
  const { check: checkAnswers, confirm: signOut } = useSignOut()
  const [check, setCheck] = useState<SignOutCheck | null>(null)
  const [busy, setBusy] = useState(false)
  const start = async () => {
    setBusy(true)
    const found = await checkAnswers()
    if (found.unsent + found.unfinished === 0) return signOut()
    setBusy(false)
    setCheck(found)
  }
  const confirm = async () => {
    setBusy(true)
    await signOut()
  }
  return {
    check,
    busy,
    start: () => void start(),
    confirm: () => void confirm(),
    cancel: () => setCheck(null),
  }
}
