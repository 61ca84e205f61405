import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react"
import { diagnose } from "../api/diagnose"
import { endpointsFor } from "../api/endpoints"
import { registerAnnotator } from "../api/register"
import type { LeftBehind } from "../queue/answerQueue"
import { deviceStore, loadJson, saveJson } from "../storage/keyValue"
import { clearToken, loadToken, saveToken } from "../storage/secureToken"
import { describeSignUpProblem, inviteUsed, normalizeInvite, type SignInFailure } from "./invite"

/**
 * Who is signed in, to which server. `owner` names this sign-in's answers on the device (drafts,
 * outbox): a new one at each sign-in, so a shared phone never mixes two people's answers; "" for a
 * sign-in from before owners existed (its answers keep their old place).
 */
export type Session = { serverUrl: string; name: string; token: string; owner: string }

type Profile = { serverUrl: string; name: string }

/**
 * The server ended a sign-in by itself (suspended, revoked, expired): its message, and the answers
 * that stayed on the device unsent. Kept until the user has read it, across restarts.
 */
export type AccessEnded = LeftBehind & { message: string }

type Saved = Profile & { owner?: string; ended?: AccessEnded }

export type SessionState =
  | { status: "loading" }
  | { status: "signedOut"; last: Profile | null; ended?: AccessEnded }
  | { status: "signedIn"; session: Session }

type SessionApi = {
  state: SessionState
  /** Register with the server (invite: the code typed, "" for none); resolves to why not, or null. */
  signIn: (serverUrl: string, name: string, invite: string) => Promise<SignInFailure | null>
  signOut: () => Promise<void>
  /** The server refused the token (`message`): forget it, and say why and what was `left` unsent. */
  endAccess: (message: string, left: LeftBehind) => Promise<void>
  /** The user has read why access ended: on to sign-in, the address and name still filled in. */
  startOver: () => Promise<void>
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

  const signIn = useCallback(async (serverUrl: string, name: string, invite: string) => {
    const code = normalizeInvite(invite)
    const result = await registerAnnotator(endpointsFor(serverUrl), name.trim(), code || null)
    if (result.kind === "network") return describeSignUpProblem(result, await diagnose(serverUrl))
    if (result.kind !== "ok") return describeSignUpProblem(result)
    if (code) inviteUsed(code)
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

  const endAccess = useCallback(async (message: string, left: LeftBehind) => {
    await clearToken()
    const ended = { message, ...left }
    const saved = await loadJson<Saved>(deviceStore, PROFILE_KEY)
    if (saved) await saveJson(deviceStore, PROFILE_KEY, { serverUrl: saved.serverUrl, name: saved.name, ended })
    setState((s) => {
      if (s.status !== "signedIn") return s
      const { serverUrl, name } = s.session // the address and name stay filled in
      return { status: "signedOut", last: { serverUrl, name }, ended }
    })
  }, [])

  const startOver = useCallback(async () => {
    const saved = await loadJson<Saved>(deviceStore, PROFILE_KEY)
    if (saved) await saveJson(deviceStore, PROFILE_KEY, { serverUrl: saved.serverUrl, name: saved.name })
    setState((s) => (s.status === "signedOut" ? { status: "signedOut", last: s.last } : s))
  }, [])

  const api = useMemo(
    () => ({ state, signIn, signOut, endAccess, startOver }),
    [state, signIn, signOut, endAccess, startOver],
  )
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>
}

async function restore(): Promise<SessionState> {
  const [saved, token] = await Promise.all([loadJson<Saved>(deviceStore, PROFILE_KEY), loadToken()])
  if (saved && token) {
    const { serverUrl, name, owner = "" } = saved
    return { status: "signedIn", session: { serverUrl, name, owner, token } }
  }
  const last = saved && { serverUrl: saved.serverUrl, name: saved.name }
  return saved?.ended ? { status: "signedOut", last, ended: saved.ended } : { status: "signedOut", last }
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

/** The session's `endAccess` action; a no-op outside a SessionProvider (component tests). */
export function useEndAccess(): SessionApi["endAccess"] {
  return useContext(SessionContext)?.endAccess ?? noEndAccess
}

const noEndAccess = async () => undefined

/** The signed-in session (screens behind sign-in only). */
export function useSignedIn(): Session {
  const { state } = useSession()
  if (state.status !== "signedIn") throw new Error("useSignedIn while signed out")
  return state.session
}
