import type { Client } from "@urql/core"
import { StatusBar } from "expo-status-bar"
import { useEffect, useMemo } from "react"
import { Platform } from "react-native"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { Loading } from "./components"
import { locale } from "./i18n"
import { AppNavigator } from "./navigation/AppNavigator"
import { NavigationProvider, type Route } from "./navigation/navigator"
import { AccessEndedScreen, SignInScreen } from "./screens"
import { ApiProvider } from "./services/api/ApiProvider"
import { Handover, HandoverContext, useHandover, useHandoverDelivery } from "./services/queue/handover"
import { QueueProvider } from "./services/queue/QueueProvider"
import { SessionProvider, useSession, type Session } from "./services/session/SessionContext"

/** The app: session first, then the signed-in screens with their API client and answer queue. */
export function App() {
  const handover = useMemo(() => new Handover(), [])
  useHandoverDelivery(handover)
  useEffect(() => {
    // Screen readers pronounce, and browsers hyphenate, by the page's language.
    if (Platform.OS === "web" && typeof document !== "undefined") document.documentElement.lang = locale()
  }, [])
  return (
    <SafeAreaProvider>
      <StatusBar style="auto" />
      <SessionProvider>
        <HandoverContext.Provider value={handover}>
          <Gate />
        </HandoverContext.Provider>
      </SessionProvider>
    </SafeAreaProvider>
  )
}

type GateProps = {
  /** Tests: the API client for a session (a fake); the app builds a real one. */
  clientFor?: (session: Session) => Client
  /** Tests: where the signed-in app starts. */
  routes?: Route[]
}

/**
 * Sign-in (after why the last one ended, when the server ended it), or one sign-in's API client,
 * answer queue (its own answers only) and screens.
 */
export function Gate({ clientFor, routes }: GateProps) {
  const { state } = useSession()
  const handover = useHandover()
  const token = state.status === "signedIn" ? state.session.token : null
  // Someone is online again, whoever: answers of those who signed out before can go now.
  useEffect(() => {
    if (token) void handover.deliver()
  }, [handover, token])
  if (state.status === "loading") return <Loading />
  if (state.status === "signedOut") return state.ended ? <AccessEndedScreen ended={state.ended} /> : <SignInScreen />
  const { session } = state
  return (
    <ApiProvider
      key={`${session.serverUrl}|${session.token}`}
      serverUrl={session.serverUrl}
      token={session.token}
      client={clientFor?.(session)}
    >
      <QueueProvider owner={session.owner}>
        <NavigationProvider initial={routes}>
          <AppNavigator />
        </NavigationProvider>
      </QueueProvider>
    </ApiProvider>
  )
}
