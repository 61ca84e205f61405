import { Platform } from "react-native"
import { endpointsFor } from "./endpoints"

/** Why a sign-up got no answer from the server, as far as the app can tell. */
export type Unreachable = "unreachable" | "blocked" | "notActiveCrowds"

const PROBE_MS = 5_000

/**
 * Ask the server's `/healthz` what the sign-up could not: an ActiveCrowds server answers
 * {"status": "ok"}. In a browser, a request the server answered but did not let this page read
 * (no CORS allow-list entry for this origin) fails like a network error; an opaque `no-cors`
 * request to the same address then still succeeds, which tells the two apart.
 */
export async function diagnose(
  serverUrl: string,
  fetchImpl: typeof fetch = fetch,
  web: boolean = Platform.OS === "web",
): Promise<Unreachable> {
  const health = endpointsFor(serverUrl).http.replace(/\/graphql$/, "/healthz")
  try {
    const response = await within(fetchImpl(health))
    const body: unknown = await response.json().catch(() => null)
    const ours = typeof body === "object" && body !== null && (body as { status?: unknown }).status === "ok"
    return ours ? "unreachable" : "notActiveCrowds"
  } catch {
    if (!web) return "unreachable"
    try {
      await within(fetchImpl(health, { mode: "no-cors" }))
      return "blocked"
    } catch {
      return "unreachable"
    }
  }
}

async function within<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), PROBE_MS)))
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}
