import type { Client } from "@urql/core"
import type { SubmitAnswersMutationVariables } from "../../gql/graphql"
import { SubmitAnswersDocument } from "./documents"
import { toProblem, type Problem } from "./problem"

/**
 * What the server made of one submission, or why it could not say. `counted`: of the answers
 * accepted, those that count as votes (the rest arrived after the crowd had decided their samples
 * and are kept as evidence of the annotator's quality).
 */
export type SubmitResult = { kind: "ok"; accepted: number; counted: number } | Problem

/** The answer queue's transport over GraphQL: sends one stored submission exactly as stored. */
export function graphqlTransport(client: Client) {
  return async ({ taskId, batchId, answers, openedAt }: SubmitAnswersMutationVariables): Promise<SubmitResult> => {
    const variables = { taskId, batchId, answers, openedAt: openedAt ?? null }
    const result = await client
      .mutation(SubmitAnswersDocument, variables, { requestPolicy: "network-only" })
      .toPromise()
    if (result.error) return toProblem(result.error)
    if (!result.data) return { kind: "network" }
    const { accepted, counted } = result.data.submitAnswers
    return { kind: "ok", accepted, counted }
  }
}
