import { plainClient } from "./client"
import { RegisterAnnotatorDocument } from "./documents"
import type { Endpoints } from "./endpoints"
import { toProblem, type Problem } from "./problem"

export type RegisterResult = { kind: "ok"; token: string } | Problem

/** Ask the server for an annotator token for `name`, with an invite code (null: none given). */
export async function registerAnnotator(
  endpoints: Endpoints,
  name: string,
  invite: string | null,
): Promise<RegisterResult> {
  const result = await plainClient(endpoints).mutation(RegisterAnnotatorDocument, { name, invite }).toPromise()
  if (result.error) return toProblem(result.error)
  const token = result.data?.registerAnnotator.token
  return token ? { kind: "ok", token } : { kind: "network" }
}
