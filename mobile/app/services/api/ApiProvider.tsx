import type { Client } from "@urql/core"
import { createContext, useContext, useEffect, useMemo, useReducer, type ReactNode } from "react"
import { AppState, Platform } from "react-native"
import { Provider } from "urql"
import { createApiConnection } from "./client"
import { initialConnection, nextConnection, type Connection, type ConnectionEvent } from "./connection"
import { endpointsFor } from "./endpoints"

export type { Connection } from "./connection"

/** Exported for tests, which play reconnects; the app sets it only through ApiProvider. */
export const ConnectionContext = createContext<Connection>(initialConnection)

/**
 * What to do when the server answers UNAUTHENTICATED. The answer queue's provider decides (waiting
 * answers are set aside before the sign-in ends), so the API needs no import of the queue; a no-op
 * outside the signed-in app (tests).
 */
export const SignInRefusedContext = createContext<() => void>(() => undefined)

type Props = { serverUrl: string; token: string; children: ReactNode; client?: Client }

/** Gives every screen below an authenticated urql client and the connection state. */
export function ApiProvider({ serverUrl, token, children, client: given }: Props) {
  const [connection, dispatch] = useReducer(nextConnection, initialConnection)
  const api = useMemo(() => {
    if (given) return null
    return createApiConnection({ endpoints: endpointsFor(serverUrl), token, onEvent: dispatch })
  }, [serverUrl, token, given])

  useEffect(() => () => api?.dispose(), [api])
  useDeviceNetwork(dispatch, api?.wake)

  const client = given ?? api?.client
  if (!client) return null
  return (
    <Provider value={client}>
      <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>
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
