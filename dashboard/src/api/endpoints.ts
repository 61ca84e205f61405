/** The HTTP and WebSocket GraphQL endpoints: the console is served by the server it talks to. */
export type Endpoints = { http: string; ws: string }

export function sameOriginEndpoints(location: Pick<Location, "protocol" | "host"> = window.location): Endpoints {
  const ws = location.protocol === "https:" ? "wss:" : "ws:"
  return { http: "/graphql", ws: `${ws}//${location.host}/graphql` }
}
