import type { Client } from "@urql/core"
import type { SubmitAnswersMutationVariables } from "../../gql/graphql"
import { SubmitAnswersDocument } from "./documents"
import { toProblem, type Problem } from "./problem"

/** What the server made of one submission, or why it could not say. */
export type SubmitResult = { kind: "ok"; accepted: number } | Problem

/** The answer queue's transport over GraphQL: sends one stored submission exactly as stored. */
export function graphqlTransport(client: Client) {
  return async ({ taskId, batchId, answers }: SubmitAnswersMutationVariables): Promise<SubmitResult> => {
    const result = await client
      .mutation(SubmitAnswersDocument, { taskId, batchId, answers }, { requestPolicy: "network-only" })
      .toPromise()
    if (result.error) return toProblem(result.error)
    if (!result.data) return { kind: "network" }
    return { kind: "ok", accepted: result.data.submitAnswers.accepted }
  }
}
