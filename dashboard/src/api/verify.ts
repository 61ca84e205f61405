import { stringifyDocument } from "@urql/core"
import { MeDocument } from "./documents"
import { describeProblem } from "./problem"

export type Verdict = { ok: true } | { ok: false; message: string }

const NOT_ADMIN = "This is an annotator's token. The console needs the admin token the server prints when it starts."
const REFUSED = "The server does not know this token. Copy the admin token from the server's start banner."

/** Ask the server who holds `token`; only the admin may use the console. */
export async function verifyAdminToken(token: string, url: string): Promise<Verdict> {
  let body: { data?: { me?: { role?: string } | null }; errors?: { extensions?: { code?: string } }[] }
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "authorization": `Bearer ${token}` },
      body: JSON.stringify({ query: stringifyDocument(MeDocument), operationName: "Me" }),
    })
    body = await response.json()
  } catch {
    return { ok: false, message: describeProblem({ kind: "offline" }) }
  }
  const code = body.errors?.[0]?.extensions?.code
  if (code === "UNAUTHENTICATED") return { ok: false, message: REFUSED }
  if (code)
    return {
      ok: false,
      message: describeProblem({ kind: "server", code, message: code, field: null, retryAfterMs: null }),
    }
  return body.data?.me?.role === "ADMIN" ? { ok: true } : { ok: false, message: NOT_ADMIN }
}
