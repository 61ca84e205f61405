import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react"
import type { TokenStore } from "./token"

export type Session = {
  /** The verified admin token, or null while signed out. */
  token: string | null
  /** A token from the sign-in link, still to be checked. */
  offered: string | null
  /** Why the last session ended, when it did not end by choice. */
  notice: string | null
  signIn: (token: string) => void
  signOut: (notice?: string) => void
}

const SessionContext = createContext<Session | null>(null)

type Props = {
  store: TokenStore
  offered?: string | null
  /** Subscribes to tokens offered later (a sign-in link opened in this page); returns the unsubscribe. */
  watchOffers?: (offer: (token: string) => void) => () => void
  children: ReactNode
}

export function SessionProvider({ store, offered = null, watchOffers, children }: Props) {
  const [token, setToken] = useState<string | null>(() => (offered ? null : store.read()))
  const [pending, setPending] = useState(offered)
  const [notice, setNotice] = useState<string | null>(null)
  const signIn = useCallback(
    (next: string) => {
      store.write(next)
      setToken(next)
      setPending(null)
      setNotice(null)
    },
    [store],
  )
  const signOut = useCallback(
    (why?: string) => {
      store.clear()
      setToken(null)
      setPending(null)
      setNotice(why ?? null)
    },
    [store],
  )
  useEffect(
    () =>
      watchOffers?.((next) => {
        setToken(null)
        setPending(next)
      }),
    [watchOffers],
  )
  const value = useMemo(
    () => ({ token, offered: pending, notice, signIn, signOut }),
    [token, pending, notice, signIn, signOut],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error("useSession outside SessionProvider")
  return session
}
