import { act, render, screen, waitFor } from "@testing-library/react-native"
import type { ReactElement } from "react"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { Provider } from "urql"
import { NavigationProvider } from "../../navigation/navigator"
import { AppNavigator } from "../../navigation/AppNavigator"
import { aTask } from "../../test/fixtures"
import { fakeClient } from "../../test/fakeClient"
import { AnswerQueue } from "../queue/answerQueue"
import { QueueProvider } from "../queue/QueueProvider"
import { memoryStore } from "../storage/keyValue"
import { ConnectionContext, type Connection } from "./ApiProvider"

const metrics = { frame: { x: 0, y: 0, width: 390, height: 844 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } }

describe("after a reconnect", () => {
  it("asks the server again and sends the queued answers at once", async () => {
    // Given a task screen and a submission that failed while the network was down
    let online = false
    const { client, calls } = fakeClient({
      Task: () => ({ task: aTask({ lockedForMe: true }) }),
      SubmitAnswers: () =>
        online
          ? { submitAnswers: { accepted: 1, counted: 1, task: { id: "t1", status: "COLLECTING", lockedForMe: true } } }
          : new Error("Failed to fetch"),
    })
    const queue = new AnswerQueue(memoryStore(), {
      transport: async () => ({ kind: "network" }),
      schedule: () => () => {},
    })
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    await queue.submit("t1", "b2")
    const app = (connection: Connection): ReactElement => (
      <SafeAreaProvider initialMetrics={metrics}>
        <Provider value={client}>
          <ConnectionContext.Provider value={connection}>
            <QueueProvider queue={queue}>
              <NavigationProvider initial={[{ name: "task", taskId: "t1" }]}>
                <AppNavigator />
              </NavigationProvider>
            </QueueProvider>
          </ConnectionContext.Provider>
        </Provider>
      </SafeAreaProvider>
    )
    const { rerender } = render(app({ epoch: 0, connected: false, online: false }))
    expect(await screen.findByText("Answers saved on this phone")).toBeTruthy()
    const fetched = calls.filter((c) => c.name === "Task").length

    // When the live link comes back
    online = true
    await act(async () => rerender(app({ epoch: 1, connected: true, online: true })))
    await act(() => queue.settled())

    // Then the task is fetched again and the queue is sent without waiting for its back-off
    await waitFor(() => expect(calls.filter((c) => c.name === "Task").length).toBeGreaterThan(fetched))
    expect(await screen.findByText("Waiting for the next batch")).toBeTruthy()
    expect(await queue.pending()).toEqual([])
  })
})
