import { StatusBar } from "expo-status-bar"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { Loading } from "./components"
import { AppNavigator } from "./navigation/AppNavigator"
import { NavigationProvider } from "./navigation/navigator"
import { SignInScreen } from "./screens"
import { ApiProvider } from "./services/api/ApiProvider"
import { QueueProvider } from "./services/queue/QueueProvider"
import { SessionProvider, useSession } from "./services/session/SessionContext"

/** The app: session first, then the signed-in screens with their API client and answer queue. */
export function App() {
  return (
    <SafeAreaProvider>
      <StatusBar style="dark" />
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </SafeAreaProvider>
  )
}

function Gate() {
  const { state } = useSession()
  if (state.status === "loading") return <Loading />
  if (state.status === "signedOut") return <SignInScreen />
  const { serverUrl, token } = state.session
  return (
    <ApiProvider key={`${serverUrl}|${token}`} serverUrl={serverUrl} token={token}>
      <QueueProvider>
        <NavigationProvider>
          <AppNavigator />
        </NavigationProvider>
      </QueueProvider>
    </ApiProvider>
  )
}
