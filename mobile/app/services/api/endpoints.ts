/** The HTTP and WebSocket GraphQL endpoints of a server given by its base URL. */
export type Endpoints = { http: string; ws: string }

/** Normalise what a user typed ("host:8000", "https://x/", ".../graphql") into endpoints. */
export function endpointsFor(serverUrl: string): Endpoints {
  let base = serverUrl.trim().replace(/\/+$/, "")
  if (!/^https?:\/\//i.test(base)) base = `http://${base}`
  base = base.replace(/\/graphql$/i, "")
  return { http: `${base}/graphql`, ws: `${base.replace(/^http/i, "ws")}/graphql` }
}

/** True when the text can be a server address at all. */
export function looksLikeServerUrl(text: string): boolean {
  try {
    const url = new URL(endpointsFor(text).http)
    return url.hostname.length > 0
  } catch {
    return false
  }
}
