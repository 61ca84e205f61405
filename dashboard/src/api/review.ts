import { useCallback, useEffect, useRef } from "react"
import { useMutation, useQuery } from "urql"
import type { DisputedSamplesQuery, SampleReview } from "../gql/graphql"

/** What the review lists: the crowd's disputes, or the samples the owner took out of training. */
export type ReviewQueue = "DISPUTED" | "DISCARDED"
import { DisputedSamplesDocument, ReviewSampleDocument } from "./documents"
import { done, type Done } from "./hooks"
import { useRefetchOnReconnect } from "./live"
import { describeProblem, toProblem } from "./problem"

export type DisputedSample = NonNullable<DisputedSamplesQuery["task"]>["sampleConnection"]["edges"][number]["node"]

/**
 * The task's samples in `state`, across every batch, the first `first` of them. Read again when
 * `version` changes (a batch resolved, a round ran: new disputes) and after each review.
 */
export function useDisputedSamples(id: string, first: number, version: string, state: ReviewQueue = "DISPUTED") {
  const [result, reexecute] = useQuery({
    query: DisputedSamplesDocument,
    variables: { id, first, state },
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
  const page = result.data?.task?.sampleConnection
  return {
    samples: page?.edges.map((e) => e.node),
    total: page?.totalCount ?? 0,
    // Kept while the next read is on its way (urql keeps the data): nothing blinks.
    fetching: result.fetching,
    problem: result.error ? describeProblem(toProblem(result.error)) : null,
    refetch,
  }
}

/** The owner's decision on a sample the crowd decided: DECIDE with a label, DISCARD, or REASK. */
export function useReviewSample() {
  const [state, run] = useMutation(ReviewSampleDocument)
  const review = useCallback(
    async (sampleId: string, action: SampleReview, label: string | null): Promise<Done> => {
      // Network-only afterwards: the caller reads its lists again rather than guessing.
      const result = await run({ sampleId, action, label }, { requestPolicy: "network-only" })
      return done(result.data?.reviewSample ? null : undefined, result.error, "The decision was not saved.")
    },
    [run],
  )
  return { review, reviewing: state.fetching }
}
