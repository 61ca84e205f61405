import { useCallback, useEffect, useRef } from "react"
import { useQuery, useSubscription, type AnyVariables, type TypedDocumentNode, type UseQueryArgs } from "urql"
import type { TaskCategory, TaskEventsSubscription, TaskSubcategory } from "../../gql/graphql"
import { useConnection } from "./ApiProvider"
import { CategoriesDocument, TaskDocument, TaskEventsDocument, TasksChangedDocument, TasksDocument } from "./documents"
import { toProblem, describeProblem } from "./problem"

const POLL_WHILE_OFFLINE_MS = 15_000

/** A query's data, a plain error message, and a refetch that always asks the server. */
export type Live<T> = { data: T | undefined; fetching: boolean; error: string | null; refetch: () => void }

/** useQuery that asks the server again after every reconnect, so the screen agrees with it. */
function useLiveQuery<D, V extends AnyVariables>(args: UseQueryArgs<V, D> & { query: TypedDocumentNode<D, V> }): Live<D> {
  const [result, execute] = useQuery<D, V>({ requestPolicy: "cache-and-network", ...args })
  const refetch = useCallback(() => execute({ requestPolicy: "network-only" }), [execute])
  const { epoch, connected } = useConnection()
  const seen = useRef(epoch)
  useEffect(() => {
    if (seen.current === epoch) return
    seen.current = epoch
    refetch()
  }, [epoch, refetch])
  // Without the live link no event will come: ask now and then instead.
  useEffect(() => {
    if (connected) return
    const id = setInterval(refetch, POLL_WHILE_OFFLINE_MS)
    return () => clearInterval(id)
  }, [connected, refetch])
  const error = result.error && !result.data ? describeProblem(toProblem(result.error)) : null
  return { data: result.data, fetching: result.fetching, error, refetch }
}

/** Refetch whenever any task changes (tasksChanged). */
function useOnTasksChanged(refetch: () => void) {
  const [{ data }] = useSubscription({ query: TasksChangedDocument })
  useEffect(() => {
    if (data) refetch()
  }, [data, refetch])
}

/** Categories with their subcategories' task counts. */
export function useCategories() {
  const live = useLiveQuery({ query: CategoriesDocument })
  useOnTasksChanged(live.refetch)
  return live
}

/** Tasks of one subcategory, kept fresh by tasksChanged. */
export function useTasks(category: TaskCategory, subcategory: TaskSubcategory) {
  const live = useLiveQuery({ query: TasksDocument, variables: { category, subcategory } })
  useOnTasksChanged(live.refetch)
  return live
}

export type TaskEvent = TaskEventsSubscription["taskEvents"]

/** One task, refetched on each of its live events; also returns the latest event. */
export function useTask(taskId: string) {
  const live = useLiveQuery({ query: TaskDocument, variables: { id: taskId } })
  const [{ data }] = useSubscription({ query: TaskEventsDocument, variables: { taskId } })
  const { refetch } = live
  useEffect(() => {
    if (data) refetch()
  }, [data, refetch])
  return { ...live, lastEvent: (data?.taskEvents ?? null) as TaskEvent | null }
}
