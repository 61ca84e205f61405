import type { Client } from "@urql/core"
import { createContext, useContext, useEffect, useState, type ReactNode } from "react"
import { Provider } from "urql"
import type { LiveStatus } from "../domain/live"
import { createApiConnection, type ApiConnection } from "./client"
import { sameOriginEndpoints } from "./endpoints"

type Live = {
  status: LiveStatus
  /** Goes up each time the live connection comes back after a drop: pages read everything again. */
  reconnects: number
}

const LiveContext = createContext<Live>({ status: "connecting", reconnects: 0 })

type Props = {
  token: string
  onUnauthenticated: () => void
  /** A ready client (tests); without it one is made for the same-origin server. */
  client?: Client
  children: ReactNode
}

/** The urql client for this session, and whether its live connection is up. */
export function ApiProvider({ token, onUnauthenticated, client: given, children }: Props) {
  const [live, setLive] = useState<Live>({ status: given ? "live" : "connecting", reconnects: 0 })
  const [made, setMade] = useState<ApiConnection | null>(null)
  useEffect(() => {
    if (given) return
    // Made in an effect, not during render: a connection holds a socket, and the effect's
    // cleanup is the one place sure to close it (StrictMode mounts twice in development).
    const connection = createApiConnection({
      endpoints: sameOriginEndpoints(),
      token,
      onStatus: (status) => setLive((l) => (l.status === status ? l : { ...l, status })),
      onReconnected: () => setLive((l) => ({ ...l, reconnects: l.reconnects + 1 })),
      onUnauthenticated,
    })
    setMade(connection)
    return () => {
      connection.dispose()
      setMade(null)
    }
  }, [given, token, onUnauthenticated])
  const client = given ?? made?.client
  if (!client) return null
  return (
    <LiveContext.Provider value={live}>
      <Provider value={client}>{children}</Provider>
    </LiveContext.Provider>
  )
}

export function useLive(): Live {
  return useContext(LiveContext)
}
