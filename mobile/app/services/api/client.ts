import { cacheExchange, Client, fetchExchange, subscriptionExchange } from "@urql/core"
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws/client"
import { wakeableWait, type ConnectionEvent } from "./connection"
import type { Endpoints } from "./endpoints"

export type ApiConnection = {
  client: Client
  ws: WsClient
  /** The network is back: try the live link now instead of at the end of its back-off. */
  wake: () => void
  dispose: () => void
}

type Options = {
  endpoints: Endpoints
  token: string
  /** What each request and the live link say about the server being there. */
  onEvent?: (event: ConnectionEvent) => void
}

/** One urql client for HTTP (queries, mutations) and graphql-ws (subscriptions), both authenticated. */
export function createApiConnection({ endpoints, token, onEvent = () => undefined }: Options): ApiConnection {
  const authorization = `Bearer ${token}`
  // Field networks drop often: keep trying forever, backing off to 10 s at most.
  const backOff = wakeableWait(500, 10_000)
  const ws = createWsClient({
    url: endpoints.ws,
    connectionParams: { authorization },
    // Connect at once and stay connected, so "offline" and "back online" are known at any time.
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: backOff.wait,
    keepAlive: 15_000,
    on: {
      connected: () => onEvent("liveUp"),
      closed: () => onEvent("liveDown"),
    },
  })
  const client = new Client({
    url: endpoints.http,
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization } }),
    fetch: reportingFetch((reached) => {
      onEvent(reached ? "reached" : "unreachable")
      // An answered request proves the network is back; the live link need not wait any longer.
      if (reached) backOff.wake()
    }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
    ],
  })
  return { client, ws, wake: backOff.wake, dispose: () => void ws.dispose() }
}

/**
 * A client for single requests outside a signed-in session (sign-in itself; answers of an annotator
 * who has signed out): HTTP only, no cache, with `token` when given.
 */
export function plainClient(endpoints: Endpoints, token?: string): Client {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  return new Client({
    url: endpoints.http,
    exchanges: [fetchExchange],
    preferGetMethod: false,
    fetchOptions: { headers },
  })
}

// A gateway's answer for a server behind it that is down or not answering.
const GATEWAY_DOWN = new Set([502, 503, 504])

/** fetch that says whether the server answered, or could not be reached (no answer, or its gateway's). */
function reportingFetch(report: (reached: boolean) => void): typeof fetch {
  return async (input, init) => {
    try {
      const response = await fetch(input, init)
      report(!GATEWAY_DOWN.has(response.status))
      return response
    } catch (error) {
      // urql aborts requests nobody waits for any more: that says nothing about the network.
      if (!(error instanceof Error && error.name === "AbortError")) report(false)
      throw error
    }
  }
}
