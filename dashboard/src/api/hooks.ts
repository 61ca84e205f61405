import { useCallback, useState } from "react"
import { useMutation, useQuery, type CombinedError } from "urql"
import type { CreateTaskInput, TaskDetailQuery, TaskEventsSubscription, UpdateTaskInput } from "../gql/graphql"
import {
  CreateTaskDocument,
  DeleteTaskDocument,
  TaskDetailDocument,
  TaskEventsDocument,
  TaskListDocument,
  TasksChangedDocument,
  UpdateTaskDocument,
} from "./documents"
import { useCoalesced, usePoll, useRefetchOnEvent, useRefetchOnReconnect } from "./live"
import { describeProblem, formErrors, toProblem, type FormErrors } from "./problem"

// A task's page hears answers arrive (taskEvents with progress: BatchProgress, at most a few a
// second) and reads the batch again then. The list has no such event per task (tasksChanged
// reports status changes), so while a batch is open the list is read again at this pace.
export const LIST_POLL_MS = 10_000
const REFETCH_COALESCE_MS = 150

export type TaskDetail = NonNullable<TaskDetailQuery["task"]>
export type TaskEvent = TaskEventsSubscription["taskEvents"]

/** Every task, kept current by tasksChanged (and a slow read of open batches' progress). */
export function useTaskList() {
  const [result, reexecute] = useQuery({ query: TaskListDocument, requestPolicy: "cache-and-network" })
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute])
  const soon = useCoalesced(refetch, REFETCH_COALESCE_MS)
  useRefetchOnEvent(TasksChangedDocument, {}, soon)
  useRefetchOnReconnect(refetch)
  const collecting = result.data?.tasks.some((t) => t.status === "COLLECTING") ?? false
  usePoll(collecting ? LIST_POLL_MS : null, refetch)
  return {
    tasks: result.data?.tasks,
    problem: result.error ? describeProblem(toProblem(result.error)) : null,
    fetching: result.fetching,
    refetch,
  }
}

/** One task, read again after each of its events; `lastEvent` is the newest, for announcing it. */
export function useTaskDetail(id: string) {
  const [result, reexecute] = useQuery({
    query: TaskDetailDocument,
    variables: { id },
    requestPolicy: "cache-and-network",
  })
  const [lastEvent, setLastEvent] = useState<TaskEvent | null>(null)
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute])
  const soon = useCoalesced(refetch, REFETCH_COALESCE_MS)
  // Progress is not announced: screen readers would hear every answer (the tallies are on screen).
  const onTaskEvent = useCallback((e: TaskEventsSubscription) => {
    if (e.taskEvents.__typename !== "BatchProgress") setLastEvent(e.taskEvents)
  }, [])
  useRefetchOnEvent(TaskEventsDocument, { taskId: id }, soon, () => true, onTaskEvent)
  // Updated or deleted elsewhere (another tab, a script): taskEvents carries neither.
  useRefetchOnEvent(TasksChangedDocument, {}, soon, (e) => e.tasksChanged.id === id)
  useRefetchOnReconnect(refetch)
  const task = result.data?.task
  return {
    task,
    /** True once the server has answered that no such task exists. */
    missing: result.data !== undefined && task === null,
    problem: result.error ? describeProblem(toProblem(result.error)) : null,
    fetching: result.fetching,
    lastEvent,
    refetch,
  }
}

/** A form's outcome: what the server made, or its messages placed by field. */
export type Saved<T> = { ok: true; value: T } | { ok: false; errors: FormErrors }

export function saved<T>(value: T | undefined, error: CombinedError | undefined): Saved<T> {
  if (value !== undefined) return { ok: true, value }
  return { ok: false, errors: error ? formErrors(error) : { fields: {}, form: null } }
}

/** A one-click action's outcome, with the reason in words when it did not happen. */
export type Done<T = null> = { ok: true; value: T } | { ok: false; message: string }

export function done<T>(value: T | undefined, error: CombinedError | undefined, otherwise: string): Done<T> {
  if (value !== undefined) return { ok: true, value }
  return { ok: false, message: error ? describeProblem(toProblem(error)) : otherwise }
}

export function useCreateTask() {
  const [state, run] = useMutation(CreateTaskDocument)
  const create = useCallback(
    async (input: CreateTaskInput): Promise<Saved<string>> => {
      const result = await run({ input })
      return saved(result.data?.createTask.id, result.error)
    },
    [run],
  )
  return { create, saving: state.fetching }
}

export function useUpdateTask() {
  const [state, run] = useMutation(UpdateTaskDocument)
  const update = useCallback(
    async (id: string, input: UpdateTaskInput): Promise<Saved<null>> => {
      const result = await run({ id, input })
      return saved(result.data ? null : undefined, result.error)
    },
    [run],
  )
  return { update, saving: state.fetching }
}

export function useDeleteTask() {
  const [state, run] = useMutation(DeleteTaskDocument)
  const remove = useCallback(
    async (id: string): Promise<Done> => {
      const result = await run({ id })
      return done(result.data?.deleteTask ? null : undefined, result.error, "The task was not deleted.")
    },
    [run],
  )
  return { remove, deleting: state.fetching }
}
