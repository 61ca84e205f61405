import { cacheExchange, Client, fetchExchange, subscriptionExchange } from "@urql/core"
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws/client"
import { wakeableWait, type ConnectionEvent } from "./connection"
import { MeDocument } from "./documents"
import type { Endpoints } from "./endpoints"
import { isTokenRefused, toProblem } from "./problem"
import { serverClock } from "./serverClock"

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
  /** The server refused the token (its message): the live link is not tried again. */
  onRefused?: (message: string) => void
}

// The server closes a live link with 4403 when it refuses connection_init's token (server/app.py).
const REFUSED_AT_INIT = 4403

const closeCode = (event: unknown) =>
  typeof event === "object" && event !== null && "code" in event ? (event as { code: unknown }).code : null

/** One urql client for HTTP (queries, mutations) and graphql-ws (subscriptions), both authenticated. */
export function createApiConnection({
  endpoints,
  token,
  onEvent = () => undefined,
  onRefused = () => undefined,
}: Options): ApiConnection {
  const authorization = `Bearer ${token}`
  // Field networks drop often: keep trying forever, backing off to 10 s at most.
  const backOff = wakeableWait(500, 10_000)
  let refusedAtInit = false
  // A refused connection_init is a dead token or a hiccup: ask over HTTP which before trying again,
  // and never try again with a token the server refuses.
  const retryWait = async (retries: number) => {
    if (refusedAtInit) {
      refusedAtInit = false
      const result = await client.query(MeDocument, {}, { requestPolicy: "network-only" }).toPromise()
      const problem = result.error ? toProblem(result.error) : null
      if (isTokenRefused(problem)) {
        onRefused(problem.message)
        return new Promise<void>(() => undefined)
      }
    }
    await backOff.wait(retries)
  }
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
      connected: () => onEvent("liveUp"),
      closed: (event) => {
        refusedAtInit = closeCode(event) === REFUSED_AT_INIT
        onEvent("liveDown")
      },
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
  // Disposing while a connection attempt is being refused rejects with that close: nothing to do.
  const dispose = () => void Promise.resolve(ws.dispose()).catch(() => undefined)
  return { client, ws, wake: backOff.wake, dispose }
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
    fetch: clockedFetch,
    fetchOptions: { headers },
  })
}

// A gateway's answer for a server behind it that is down or not answering.
const GATEWAY_DOWN = new Set([502, 503, 504])

/** fetch that reads the server's clock off each answer (serverClock.ts). */
const clockedFetch: typeof fetch = async (input, init) => {
  const sentAt = Date.now()
  const response = await fetch(input, init)
  if (!GATEWAY_DOWN.has(response.status)) serverClock.note(response.headers.get("date"), sentAt, Date.now())
  return response
}

/** fetch that says whether the server answered, or could not be reached (no answer, or its gateway's). */
function reportingFetch(report: (reached: boolean) => void): typeof fetch {
  return async (input, init) => {
    try {
      const response = await clockedFetch(input, init)
      report(!GATEWAY_DOWN.has(response.status))
      return response
    } catch (error) {
      // urql aborts requests nobody waits for any more: that says nothing about the network.
      if (!(error instanceof Error && error.name === "AbortError")) report(false)
      throw error
    }
  }
}
