import { useCallback, useContext, useEffect, useRef } from "react"
import {
  useClient,
  useQuery,
  useSubscription,
  type Client,
  type AnyVariables,
  type CombinedError,
  type TypedDocumentNode,
  type UseQueryArgs,
} from "urql"
import type { TaskCategory, TaskEventsSubscription, TaskQuery, TaskSubcategory } from "../../gql/graphql"
import { SignInRefusedContext, useConnection } from "./ApiProvider"
import { CategoriesDocument, TaskDocument, TaskEventsDocument, TasksChangedDocument, TasksDocument } from "./documents"
import { toProblem, describeProblem, isTokenRefused, type Problem } from "./problem"

const POLL_WHILE_OFFLINE_MS = 15_000

// The last data each query got, per client (so per signed-in user), kept across screens:
// offline, a screen shows what was last known instead of nothing.
const lastGood = new WeakMap<Client, WeakMap<object, Map<string, unknown>>>()

function remember<D>(client: Client, query: object, variables: unknown, data: D | null | undefined): D | undefined {
  const byQuery = lastGood.get(client) ?? new WeakMap<object, Map<string, unknown>>()
  lastGood.set(client, byQuery)
  const known = byQuery.get(query) ?? new Map<string, unknown>()
  byQuery.set(query, known)
  const key = JSON.stringify(variables ?? null)
  // A refusal comes as `"data": null` beside its errors: no data, not an empty answer to show.
  if (data !== undefined && data !== null) known.set(key, data)
  return known.get(key) as D | undefined
}

/** A query's data, a plain error message, and a refetch that always asks the server. */
export type Live<T> = { data: T | undefined; fetching: boolean; error: string | null; refetch: () => void }

/** useQuery that asks the server again after every reconnect, so the screen agrees with it. */
function useLiveQuery<D, V extends AnyVariables>(
  args: UseQueryArgs<V, D> & { query: TypedDocumentNode<D, V> },
  liveBroken = false,
): Live<D> {
  const [result, execute] = useQuery<D, V>({ requestPolicy: "cache-and-network", ...args })
  const refetch = useCallback(() => execute({ requestPolicy: "network-only" }), [execute])
  const { epoch, connected } = useConnection()
  const seen = useRef(epoch)
  useEffect(() => {
    if (seen.current === epoch) return
    seen.current = epoch
    refetch()
  }, [epoch, refetch])
  // Without the live link (or when the server refuses the subscription) no event will come:
  // ask now and then instead.
  const poll = !connected || liveBroken
  useEffect(() => {
    if (!poll) return
    const id = setInterval(refetch, POLL_WHILE_OFFLINE_MS)
    return () => clearInterval(id)
  }, [poll, refetch])
  const data = remember(useClient(), args.query, args.variables, result.data)
  const problem = useReportRefusal(result.error)
  return { data, fetching: result.fetching, error: problem ? describeProblem(problem) : null, refetch }
}

/** The problem of a request or subscription; a refused token is reported (the sign-in is over). */
function useReportRefusal(error: CombinedError | undefined): Problem | null {
  const problem = error ? toProblem(error) : null
  const refused = useContext(SignInRefusedContext)
  const refusal = isTokenRefused(problem) ? problem.message : null
  useEffect(() => {
    if (refusal !== null) refused(refusal)
  }, [refusal, refused])
  return problem
}

/** The latest tasksChanged event, and whether that subscription failed. */
function useTasksChanged() {
  const [{ data, error }] = useSubscription({ query: TasksChangedDocument })
  useReportRefusal(error)
  return { changed: data, broken: !!error }
}

/** Refetch whenever `trigger` changes to a new event. */
function useRefetchOn(trigger: unknown, refetch: () => void) {
  useEffect(() => {
    if (trigger) refetch()
  }, [trigger, refetch])
}

/** Categories with their subcategories' task counts. */
export function useCategories() {
  const { changed, broken } = useTasksChanged()
  const live = useLiveQuery({ query: CategoriesDocument }, broken)
  useRefetchOn(changed, live.refetch)
  return live
}

/** Tasks (of one subcategory, or all of mine), kept fresh by tasksChanged. */
export function useTasks(category?: TaskCategory, subcategory?: TaskSubcategory) {
  const { changed, broken } = useTasksChanged()
  const live = useLiveQuery({ query: TasksDocument, variables: { category, subcategory } }, broken)
  useRefetchOn(changed, live.refetch)
  return live
}

export type TaskEvent = TaskEventsSubscription["taskEvents"]

/** A task as the task screens show it. */
export type TaskDetail = NonNullable<TaskQuery["task"]>

/** One task, refetched on each of its live events; also returns the latest event. */
export function useTask(taskId: string) {
  const [{ data, error }] = useSubscription({ query: TaskEventsDocument, variables: { taskId } })
  useReportRefusal(error)
  const live = useLiveQuery({ query: TaskDocument, variables: { id: taskId } }, !!error)
  useRefetchOn(data, live.refetch)
  return { ...live, lastEvent: (data?.taskEvents ?? null) as TaskEvent | null }
}
