import { useCallback, useState } from "react"
import { useSession } from "../session/SessionContext"
import { onThisOrigin } from "./endpoints"
import { describeProblem } from "./problem"

export type Downloaded = { blob: Blob; disposition: string | null }
export type Progress = { received: number; total: number | null }

/** What the server's download routes answer on a refusal: {"error", "code"}. */
async function refusal(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: unknown; code?: unknown } | null
  const code = typeof body?.code === "string" ? body.code : response.status === 401 ? "UNAUTHENTICATED" : "INTERNAL"
  const message = typeof body?.error === "string" ? body.error : response.statusText
  return describeProblem({ kind: "server", code, message, field: null, retryAfterMs: null })
}

/**
 * GET a file that needs the admin's bearer token (an <a href> cannot send it), reporting bytes
 * as they arrive. Throws an Error whose message is one plain sentence.
 */
export async function fetchWithToken(
  url: string,
  token: string,
  onProgress: (p: Progress) => void,
): Promise<Downloaded> {
  let response: Response
  try {
    response = await fetch(onThisOrigin(url), { headers: { authorization: `Bearer ${token}` } })
  } catch {
    throw new Error(describeProblem({ kind: "offline" }))
  }
  if (!response.ok) throw new Error(await refusal(response))
  const length = Number(response.headers.get("content-length"))
  const total = Number.isFinite(length) && length > 0 ? length : null
  const disposition = response.headers.get("content-disposition")
  const type = response.headers.get("content-type") ?? "application/octet-stream"
  onProgress({ received: 0, total })
  if (!response.body) return { blob: await response.blob(), disposition }
  const reader = response.body.getReader()
  const chunks: Uint8Array<ArrayBuffer>[] = []
  let received = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      received += value.byteLength
      onProgress({ received, total })
    }
  } catch {
    throw new Error("The download stopped halfway: the connection to the server was lost. Try again.")
  }
  return { blob: new Blob(chunks, { type }), disposition }
}

export type DownloadState =
  | { status: "idle" }
  | { status: "busy"; key: string; progress: Progress }
  | { status: "failed"; key: string; message: string }
  | { status: "saved"; key: string; name: string }

/**
 * One download at a time with the session's token: `start(key, url, save)` fetches, then
 * hands the blob to `save` (which names and saves the file) and says what it was saved as.
 */
export function useDownload() {
  const { token } = useSession()
  const [state, setState] = useState<DownloadState>({ status: "idle" })
  const start = useCallback(
    async (key: string, url: string, save: (d: Downloaded) => string) => {
      if (!token) return
      setState({ status: "busy", key, progress: { received: 0, total: null } })
      try {
        const got = await fetchWithToken(url, token, (progress) => setState({ status: "busy", key, progress }))
        setState({ status: "saved", key, name: save(got) })
      } catch (error) {
        setState({ status: "failed", key, message: (error as Error).message })
      }
    },
    [token],
  )
  return { state, start }
}
