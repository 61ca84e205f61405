import { useCallback } from "react"
import { useMutation, useQuery, type CombinedError } from "urql"
import type {
  AnnotatorFieldsFragment,
  AnnotatorStatus,
  CreateInviteMutation,
  CreateInviteMutationVariables,
  InviteFieldsFragment,
  SuspendAnnotatorMutation,
} from "../gql/graphql"
import {
  AnnotatorListDocument,
  CreateInviteDocument,
  InviteListDocument,
  ReinstateAnnotatorDocument,
  RevokeInviteDocument,
  RevokeTokenDocument,
  SuspendAnnotatorDocument,
  TaskTitlesDocument,
} from "./documents"
import { done, LIST_POLL_MS, saved, type Done, type Saved } from "./hooks"
import { usePoll, useRefetchOnReconnect } from "./live"
import { describeProblem, toProblem } from "./problem"

// No event tells the admin of registrations or answers, so the crowd's lists are read again at
// the task list's pace while the page is visible (and at once after each change made here).

export type InviteRow = InviteFieldsFragment
export type AnnotatorRow = AnnotatorFieldsFragment
export type CreatedInvite = CreateInviteMutation["createInvite"]
export type Suspension = SuspendAnnotatorMutation["suspendAnnotator"]
export type NewInvite = CreateInviteMutationVariables

/** Read a list again from the network now and then, and after a reconnect; returns how to ask for it. */
function useKeptCurrent(reexecute: (options: { requestPolicy: "network-only" }) => void): () => void {
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute])
  useRefetchOnReconnect(refetch)
  usePoll(LIST_POLL_MS, refetch)
  return refetch
}

const inWords = (error: CombinedError | undefined) => (error ? describeProblem(toProblem(error)) : null)

/** Every task's id and title: for choosing an invite's tasks and naming them in lists. */
export function useTaskTitles() {
  const [result] = useQuery({ query: TaskTitlesDocument, requestPolicy: "cache-and-network" })
  return result.data?.tasks
}

/** Every invite, newest first. */
export function useInvites() {
  const [result, reexecute] = useQuery({ query: InviteListDocument, requestPolicy: "cache-and-network" })
  const refetch = useKeptCurrent(reexecute)
  return { invites: result.data?.invites, problem: inWords(result.error), refetch }
}

/** Annotators with their figures, of one status or all (null). */
export function useAnnotators(status: AnnotatorStatus | null) {
  const [result, reexecute] = useQuery({
    query: AnnotatorListDocument,
    variables: { status },
    requestPolicy: "cache-and-network",
  })
  const refetch = useKeptCurrent(reexecute)
  return { annotators: result.data?.annotators, problem: inWords(result.error), refetch }
}

export function useCreateInvite() {
  const [state, run] = useMutation(CreateInviteDocument)
  const create = useCallback(
    async (invite: NewInvite): Promise<Saved<CreatedInvite>> => {
      const result = await run(invite)
      return saved(result.data?.createInvite, result.error)
    },
    [run],
  )
  return { create, saving: state.fetching }
}

export function useRevokeInvite() {
  const [state, run] = useMutation(RevokeInviteDocument)
  const revoke = useCallback(
    async (id: string): Promise<Done<InviteRow>> => {
      const result = await run({ id })
      return done(result.data?.revokeInvite, result.error, "The invite was not revoked.")
    },
    [run],
  )
  return { revoke, revoking: state.fetching }
}

export function useSuspendAnnotator() {
  const [state, run] = useMutation(SuspendAnnotatorDocument)
  const suspend = useCallback(
    async (id: string, reason: string): Promise<Saved<Suspension>> => {
      const result = await run({ id, reason })
      return saved(result.data?.suspendAnnotator, result.error)
    },
    [run],
  )
  return { suspend, suspending: state.fetching }
}

export function useReinstateAnnotator() {
  const [state, run] = useMutation(ReinstateAnnotatorDocument)
  const reinstate = useCallback(
    async (id: string): Promise<Done<AnnotatorRow>> => {
      const result = await run({ id })
      return done(result.data?.reinstateAnnotator, result.error, "The annotator was not reinstated.")
    },
    [run],
  )
  return { reinstate, reinstating: state.fetching }
}

export function useRevokeToken() {
  const [state, run] = useMutation(RevokeTokenDocument)
  const revokeToken = useCallback(
    async (annotatorId: string): Promise<Done<AnnotatorRow>> => {
      const result = await run({ annotatorId })
      return done(result.data?.revokeToken, result.error, "The token was not revoked.")
    },
    [run],
  )
  return { revokeToken, revoking: state.fetching }
}
