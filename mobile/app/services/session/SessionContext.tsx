import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react"
import { endpointsFor } from "../api/endpoints"
import { describeProblem } from "../api/problem"
import { registerAnnotator } from "../api/register"
import { deviceStore, loadJson, saveJson } from "../storage/keyValue"
import { clearToken, loadToken, saveToken } from "../storage/secureToken"
import { t } from "../../i18n"

/**
 * Who is signed in, to which server. `owner` names this sign-in's answers on the device (drafts,
 * outbox): a new one at each sign-in, so a shared phone never mixes two people's answers; "" for a
 * sign-in from before owners existed (its answers keep their old place).
 */
export type Session = { serverUrl: string; name: string; token: string; owner: string }

type Profile = { serverUrl: string; name: string }
type Saved = Profile & { owner?: string }

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
      return result.kind === "network" ? t("signIn.unreachable") : describeProblem(result)
    }
    const session = { serverUrl, name: name.trim(), token: result.token, owner: newOwner() }
    await saveToken(session.token)
    await saveJson(deviceStore, PROFILE_KEY, { serverUrl, name: session.name, owner: session.owner })
    setState({ status: "signedIn", session })
    return null
  }, [])

  const signOut = useCallback(async () => {
    await clearToken()
    setState((s) => {
      if (s.status !== "signedIn") return s
      const { serverUrl, name } = s.session // the address and name stay filled in
      return { status: "signedOut", last: { serverUrl, name } }
    })
  }, [])

  const expire = useCallback(async (unsentAnswers: number) => {
    await clearToken()
    const expiry = { message: t("signIn.expired"), unsentAnswers }
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
  const [saved, token] = await Promise.all([loadJson<Saved>(deviceStore, PROFILE_KEY), loadToken()])
  if (saved && token) return { status: "signedIn", session: { ...saved, owner: saved.owner ?? "", token } }
  return { status: "signedOut", last: saved && { serverUrl: saved.serverUrl, name: saved.name } }
}

/** A name for one sign-in's answers on this device: unique here, and no secret. */
function newOwner(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
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
