import { render } from "@testing-library/react-native"
import type { Client } from "@urql/core"
import type { ReactElement } from "react"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { NavigationProvider, type Route } from "../navigation/navigator"
import { AppNavigator } from "../navigation/AppNavigator"
import { ApiProvider, ConnectionContext, type Connection } from "../services/api/ApiProvider"
import { AnswerQueue } from "../services/queue/answerQueue"
import { Handover, HandoverContext } from "../services/queue/handover"
import { QueueProvider } from "../services/queue/QueueProvider"
import { SessionProvider } from "../services/session/SessionContext"
import { memoryStore } from "../services/storage/keyValue"

const metrics = { frame: { x: 0, y: 0, width: 390, height: 844 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } }
const session = { serverUrl: "http://test", name: "Amina", token: "t0k", owner: "" }

/**
 * Render the signed-in app at `routes` (a back stack) with a fake client and an in-memory queue;
 * `connection`, when given, plays the live link's state (rerender with another to change it).
 */
export function renderApp(
  client: Client,
  routes: Route[],
  queue = new AnswerQueue(memoryStore()),
  connection?: Connection,
) {
  const ui = (c?: Connection): ReactElement => (
    <SafeAreaProvider initialMetrics={metrics}>
      <SessionProvider initial={session}>
        <HandoverContext.Provider value={handover}>
          <ApiProvider serverUrl={session.serverUrl} token={session.token} client={client}>
            <Connected connection={c}>
              <QueueProvider queue={queue}>
                <NavigationProvider initial={routes}>
                  <AppNavigator />
                </NavigationProvider>
              </QueueProvider>
            </Connected>
          </ApiProvider>
        </HandoverContext.Provider>
      </SessionProvider>
    </SafeAreaProvider>
  )
  const handover = new Handover(memoryStore(), () => async () => ({ kind: "network" }))
  const view = render(ui(connection))
  return { ...view, queue, setConnection: (c: Connection) => view.rerender(ui(c)) }
}

function Connected({ connection, children }: { connection?: Connection; children: ReactElement }) {
  if (!connection) return children
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>
}
