import { cacheExchange, Client, fetchExchange, subscriptionExchange } from "@urql/core"
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws/client"
import type { Endpoints } from "./endpoints"

export type ApiConnection = { client: Client; ws: WsClient; dispose: () => void }

type Options = {
  endpoints: Endpoints
  token: string
  /** Called each time the live connection is up; `wasRetry` after a drop. */
  onConnected?: (wasRetry: boolean) => void
  /** Called when the live connection drops. */
  onDisconnected?: () => void
}

// Field networks drop often: keep trying forever, backing off to 10 s at most.
const retryWait = (retries: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries)))

/** One urql client for HTTP (queries, mutations) and graphql-ws (subscriptions), both authenticated. */
export function createApiConnection({ endpoints, token, onConnected, onDisconnected }: Options): ApiConnection {
  const authorization = `Bearer ${token}`
  const ws = createWsClient({
    url: endpoints.ws,
    connectionParams: { authorization },
    // Connect at once and stay connected, so "offline" and "back online" are known at any time.
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait,
    keepAlive: 15_000,
    on: {
      connected: (_socket, _payload, wasRetry) => onConnected?.(wasRetry),
      closed: () => onDisconnected?.(),
    },
  })
  const client = new Client({
    url: endpoints.http,
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization } }),
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
  return { client, ws, dispose: () => void ws.dispose() }
}
