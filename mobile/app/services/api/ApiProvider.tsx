import type { Client } from "@urql/core"
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react"
import { Provider } from "urql"
import { createApiConnection } from "./client"
import { endpointsFor } from "./endpoints"

/** The live link's state: `epoch` grows at each reconnect, so screens know to refetch. */
export type Connection = { epoch: number; connected: boolean }

/** Exported for tests, which play reconnects; the app sets it only through ApiProvider. */
export const ConnectionContext = createContext<Connection>({ epoch: 0, connected: true })

/**
 * What to do when the server answers UNAUTHENTICATED. The answer queue's provider decides (waiting
 * answers are set aside before the sign-in ends), so the API needs no import of the queue; a no-op
 * outside the signed-in app (tests).
 */
export const SignInRefusedContext = createContext<() => void>(() => undefined)

type Props = { serverUrl: string; token: string; children: ReactNode; client?: Client }

/** Gives every screen below an authenticated urql client and the connection state. */
export function ApiProvider({ serverUrl, token, children, client: given }: Props) {
  const [connection, setConnection] = useState<Connection>({ epoch: 0, connected: true })
  const api = useMemo(() => {
    if (given) return null
    return createApiConnection({
      endpoints: endpointsFor(serverUrl),
      token,
      onConnected: (wasRetry) => setConnection((c) => ({ epoch: wasRetry ? c.epoch + 1 : c.epoch, connected: true })),
      onDisconnected: () => setConnection((c) => (c.connected ? { ...c, connected: false } : c)),
    })
  }, [serverUrl, token, given])

  useEffect(() => () => api?.dispose(), [api])

  const client = given ?? api?.client
  if (!client) return null
  return (
    <Provider value={client}>
      <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>
    </Provider>
  )
}

/** The live connection's state. */
export function useConnection(): Connection {
  return useContext(ConnectionContext)
}
