import { cacheExchange, Client, fetchExchange, mapExchange, subscriptionExchange } from "@urql/core"
import { createClient as createWsClient } from "graphql-ws/client"
import type { LiveStatus } from "../domain/live"
import type { Endpoints } from "./endpoints"
import { isUnauthenticated } from "./problem"

export type ApiConnection = { client: Client; dispose: () => void }

type Options = {
  endpoints: Endpoints
  token: string
  onStatus: (status: LiveStatus) => void
  /** The live connection came back after a drop: events may have been missed meanwhile. */
  onReconnected: () => void
  /** The server refused the token (it was restarted with another, say). */
  onUnauthenticated: () => void
}

// A console stays open for hours: keep trying forever, backing off to 10 s at most.
const retryWait = (retries: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries)))

/** One urql client for HTTP (queries, mutations) and graphql-ws (subscriptions), both with the token. */
export function createApiConnection(options: Options): ApiConnection {
  const { endpoints, token, onStatus, onReconnected, onUnauthenticated } = options
  const authorization = `Bearer ${token}`
  const ws = createWsClient({
    url: endpoints.ws,
    connectionParams: { authorization },
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait,
    keepAlive: 15_000,
    on: {
      connected: (_socket, _payload, wasRetry) => {
        onStatus("live")
        if (wasRetry) onReconnected()
      },
      closed: (event) => {
        // 4403: the server refused the connection_init's token.
        if ((event as { code?: number } | undefined)?.code === 4403) onUnauthenticated()
        onStatus("reconnecting")
      },
    },
  })
  const client = new Client({
    url: endpoints.http,
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization } }),
    exchanges: [
      mapExchange({ onError: (error) => void (isUnauthenticated(error) && onUnauthenticated()) }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
    ],
  })
  return { client, dispose: () => void ws.dispose() }
}
