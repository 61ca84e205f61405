import { useCallback, useEffect, useRef } from "react"
import { useQuery } from "urql"
import type { AgreementFieldsFragment, TaskAgreementQuery } from "../gql/graphql"
import { TaskAgreementDocument } from "./documents"
import { useRefetchOnReconnect } from "./live"
import { describeProblem, toProblem } from "./problem"

export type Agreement = AgreementFieldsFragment
export type TaskAgreement = NonNullable<TaskAgreementQuery["task"]>

/**
 * How far the crowd agrees on a task: over every batch, on the current one, per round. Read
 * again whenever `version` changes (the page's answers, batches or rounds changed): answers
 * send no event, and the page already reads those every few seconds.
 */
export function useTaskAgreement(id: string, version: string) {
  const [result, reexecute] = useQuery({
    query: TaskAgreementDocument,
    variables: { id },
    requestPolicy: "cache-and-network",
  })
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute])
  useRefetchOnReconnect(refetch)
  const seen = useRef(version)
  useEffect(() => {
    if (seen.current === version) return
    seen.current = version
    refetch()
  }, [version, refetch])
  return {
    agreement: result.data?.task ?? undefined,
    problem: result.error ? describeProblem(toProblem(result.error)) : null,
    refetch,
  }
}
