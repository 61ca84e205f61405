import type { Client } from "@urql/core"
import type { SubmitResult, Submission } from "../queue/answerQueue"
import { SubmitAnswersDocument } from "./documents"
import { toProblem } from "./problem"

/** The answer queue's transport over GraphQL: sends one stored submission exactly as stored. */
export function graphqlTransport(client: Client) {
  return async (submission: Submission): Promise<SubmitResult> => {
    const { taskId, batchId, answers } = submission
    const result = await client
      .mutation(SubmitAnswersDocument, { taskId, batchId, answers }, { requestPolicy: "network-only" })
      .toPromise()
    if (result.error) return toProblem(result.error)
    if (!result.data) return { kind: "network" }
    return { kind: "ok", accepted: result.data.submitAnswers.accepted }
  }
}
