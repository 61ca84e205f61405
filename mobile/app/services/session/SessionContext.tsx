import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react"
import { endpointsFor } from "../api/endpoints"
import { describeProblem } from "../api/problem"
import { registerAnnotator } from "../api/register"
import { deviceStore, loadJson, saveJson } from "../storage/keyValue"
import { clearToken, loadToken, saveToken } from "../storage/secureToken"

/** Who is signed in, to which server. */
export type Session = { serverUrl: string; name: string; token: string }

type Profile = { serverUrl: string; name: string }

/** Why the user was signed out without asking, for the sign-in screen to say. */
export type Expiry = { message: string; unsentAnswers: number }

export type SessionState =
  | { status: "loading" }
  | { status: "signedOut"; last: Profile | null; expiry?: Expiry }
  | { status: "signedIn"; session: Session }

type SessionApi = {
  state: SessionState
  /** Register with the server; resolves to an error message, or null when signed in. */
  signIn: (serverUrl: string, name: string) => Promise<string | null>
  signOut: () => Promise<void>
  /** The server no longer accepts the token: forget it and go back to sign-in, saying why. */
  expire: (unsentAnswers: number) => Promise<void>
}

const PROFILE_KEY = "activecrowds.profile"
const EXPIRED = "The server no longer accepts your sign-in (it may have been reset). Sign in again to go on."
const SessionContext = createContext<SessionApi | null>(null)

/** Restores the saved session at start and offers sign in / sign out. */
export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Session }) {
  const [state, setState] = useState<SessionState>(
    initial ? { status: "signedIn", session: initial } : { status: "loading" },
  )

  useEffect(() => {
    if (initial) return
    void restore().then(setState)
  }, [initial])

  const signIn = useCallback(async (serverUrl: string, name: string) => {
    const result = await registerAnnotator(endpointsFor(serverUrl), name.trim())
    if (result.kind !== "ok") {
      return result.kind === "network"
        ? "Could not reach the server. Check the address and your connection."
        : describeProblem(result)
    }
    await saveToken(result.token)
    await saveJson(deviceStore, PROFILE_KEY, { serverUrl, name: name.trim() })
    setState({ status: "signedIn", session: { serverUrl, name: name.trim(), token: result.token } })
    return null
  }, [])

  const signOut = useCallback(async () => {
    await clearToken()
    setState((s) => ({ status: "signedOut", last: s.status === "signedIn" ? s.session : null }))
  }, [])

  const expire = useCallback(async (unsentAnswers: number) => {
    await clearToken()
    const expiry = { message: EXPIRED, unsentAnswers }
    setState((s) => {
      if (s.status !== "signedIn") return s
      const { serverUrl, name } = s.session // the address and name stay filled in
      return { status: "signedOut", last: { serverUrl, name }, expiry }
    })
  }, [])

  const api = useMemo(() => ({ state, signIn, signOut, expire }), [state, signIn, signOut, expire])
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>
}

async function restore(): Promise<SessionState> {
  const [profile, token] = await Promise.all([loadJson<Profile>(deviceStore, PROFILE_KEY), loadToken()])
  if (profile && token) return { status: "signedIn", session: { ...profile, token } }
  return { status: "signedOut", last: profile }
}

/** The session and the sign in / sign out actions. */
export function useSession(): SessionApi {
  const api = useContext(SessionContext)
  if (!api) throw new Error("useSession outside SessionProvider")
  return api
}

/** The session's `expire` action; a no-op outside a SessionProvider (component tests). */
export function useExpire(): SessionApi["expire"] {
  return useContext(SessionContext)?.expire ?? noExpire
}

const noExpire = async () => undefined

/** The signed-in session (screens behind sign-in only). */
export function useSignedIn(): Session {
  const { state } = useSession()
  if (state.status !== "signedIn") throw new Error("useSignedIn while signed out")
  return state.session
}
