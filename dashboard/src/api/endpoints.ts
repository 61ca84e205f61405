/** The HTTP and WebSocket GraphQL endpoints: the console is served by the server it talks to. */
export type Endpoints = { http: string; ws: string }

export function sameOriginEndpoints(location: Pick<Location, "protocol" | "host"> = window.location): Endpoints {
  const ws = location.protocol === "https:" ? "wss:" : "ws:"
  return { http: "/graphql", ws: `${ws}//${location.host}/graphql` }
}

/**
 * A URL the server gave (it spells them with its own base URL) as a path on this origin: the
 * console talks to the server that served it, and a fetch with a header stays same-origin.
 */
export function onThisOrigin(url: string, location: Pick<Location, "href"> = window.location): string {
  const parsed = new URL(url, location.href)
  return `${parsed.pathname}${parsed.search}`
}
