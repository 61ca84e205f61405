import type { Client } from "@urql/core"
import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useState, type ReactNode } from "react"
import { AppState, Platform } from "react-native"
import { Provider } from "urql"
import { createApiConnection } from "./client"
import { initialConnection, nextConnection, type Connection, type ConnectionEvent } from "./connection"
import { endpointsFor } from "./endpoints"

export type { Connection } from "./connection"

/** Exported for tests, which play reconnects; the app sets it only through ApiProvider. */
export const ConnectionContext = createContext<Connection>(initialConnection)

/**
 * Say that the server refused this sign-in's token (UNAUTHENTICATED), with its message: any request,
 * subscription or the live link may find out first, and the first report counts. What follows is
 * the answer queue's provider's to decide (waiting answers are set aside before the sign-in ends),
 * so the API needs no import of the queue; a no-op outside an ApiProvider (tests).
 */
export const SignInRefusedContext = createContext<(message: string) => void>(() => undefined)

/** The server's message when it refused this sign-in's token; null while it accepts it. */
export const RefusalContext = createContext<string | null>(null)

type Props = { serverUrl: string; token: string; children: ReactNode; client?: Client }

/** Gives every screen below an authenticated urql client and the connection state. */
export function ApiProvider({ serverUrl, token, children, client: given }: Props) {
  const [connection, dispatch] = useReducer(nextConnection, initialConnection)
  const [refusal, setRefusal] = useState<string | null>(null)
  const refused = useCallback((message: string) => setRefusal((first) => first ?? message), [])
  const api = useMemo(() => {
    if (given) return null
    return createApiConnection({ endpoints: endpointsFor(serverUrl), token, onEvent: dispatch, onRefused: refused })
  }, [serverUrl, token, given, refused])

  useEffect(() => () => api?.dispose(), [api])
  useDeviceNetwork(dispatch, api?.wake)

  const client = given ?? api?.client
  if (!client) return null
  return (
    <Provider value={client}>
      <ConnectionContext.Provider value={connection}>
        <SignInRefusedContext.Provider value={refused}>
          <RefusalContext.Provider value={refusal}>{children}</RefusalContext.Provider>
        </SignInRefusedContext.Provider>
      </ConnectionContext.Provider>
    </Provider>
  )
}

/**
 * The device's own word on its network: the browser's online / offline events; on a phone, coming
 * back to the foreground (the network may have changed meanwhile). Either way the live link retries
 * at once.
 */
function useDeviceNetwork(dispatch: (event: ConnectionEvent) => void, wake: (() => void) | undefined) {
  useEffect(() => {
    if (Platform.OS === "web") {
      if (typeof window === "undefined") return
      const online = () => {
        dispatch("deviceOnline")
        wake?.()
      }
      const offline = () => dispatch("unreachable")
      if (window.navigator?.onLine === false) offline()
      window.addEventListener("online", online)
      window.addEventListener("offline", offline)
      return () => {
        window.removeEventListener("online", online)
        window.removeEventListener("offline", offline)
      }
    }
    const sub = AppState.addEventListener("change", (state) => state === "active" && wake?.())
    return () => sub.remove()
  }, [dispatch, wake])
}

/** The live connection's state. */
export function useConnection(): Connection {
  return useContext(ConnectionContext)
}
