import { render, screen } from "@testing-library/react-native"
import type { Client } from "@urql/core"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { AppNavigator } from "../../navigation/AppNavigator"
import { NavigationProvider } from "../../navigation/navigator"
import { SignInScreen } from "../../screens"
import { aTask } from "../../test/fixtures"
import { fakeClient, serverError } from "../../test/fakeClient"
import { ApiProvider } from "../api/ApiProvider"
import { AnswerQueue } from "../queue/answerQueue"
import { QueueProvider } from "../queue/QueueProvider"
import { memoryStore } from "../storage/keyValue"
import { loadToken, saveToken } from "../storage/secureToken"
import { SessionProvider, useSession } from "./SessionContext"

const metrics = { frame: { x: 0, y: 0, width: 390, height: 844 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } }
const session = { serverUrl: "http://crowd.test:8000", name: "Amina", token: "dead-token", owner: "" }

/** The app's gate (sign-in when signed out), with a fake client behind the signed-in screens. */
function Gate({ client, queue }: { client: Client; queue: AnswerQueue }) {
  const { state } = useSession()
  if (state.status !== "signedIn") return <SignInScreen />
  return (
    <ApiProvider serverUrl={session.serverUrl} token={session.token} client={client}>
      <QueueProvider queue={queue}>
        <NavigationProvider initial={[{ name: "task", taskId: "t1" }]}>
          <AppNavigator />
        </NavigationProvider>
      </QueueProvider>
    </ApiProvider>
  )
}

async function renderSignedIn(client: Client, queue: AnswerQueue) {
  await saveToken(session.token)
  render(
    <SafeAreaProvider initialMetrics={metrics}>
      <SessionProvider initial={session}>
        <Gate client={client} queue={queue} />
      </SessionProvider>
    </SafeAreaProvider>,
  )
}

describe("A sign-in the server no longer accepts", () => {
  it("drops the token and returns to sign-in with the address and name filled in", async () => {
    const { client } = fakeClient({ Task: () => serverError("UNAUTHENTICATED", "unknown token") })
    await renderSignedIn(client, new AnswerQueue(memoryStore()))

    expect(await screen.findByTestId("sign-in-expired")).toHaveTextContent(/no longer accepts your sign-in/)
    expect(screen.getByTestId("server-url").props.value).toBe(session.serverUrl)
    expect(screen.getByTestId("annotator-name").props.value).toBe("Amina")
    expect(screen.queryByTestId("unsent-answers")).toBeNull()
    expect(await loadToken()).toBeNull()
  })

  it("keeps answers waiting to be sent, says they could not be sent, and never sends them again", async () => {
    const queue = new AnswerQueue(memoryStore())
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    await queue.answer("t1", "b2", { sampleId: "b2-s2", label: "no" })
    await queue.submit("t1", "b2") // no transport yet: waits in the outbox, as after a network cut
    const { client, calls } = fakeClient({
      Task: () => ({ task: aTask({ lockedForMe: true }) }),
      SubmitAnswers: () => serverError("UNAUTHENTICATED", "unknown token"),
    })
    await renderSignedIn(client, queue)

    expect(await screen.findByTestId("unsent-answers")).toHaveTextContent(
      /2 answers given under your old sign-in could not be sent/,
    )
    expect(calls.filter((c) => c.name === "SubmitAnswers")).toHaveLength(1)
    expect(await loadToken()).toBeNull()
    // Kept on the device, out of the outbox: a new sign-in will not send them as someone else's.
    expect(await queue.pending()).toEqual([])
    const [unsent] = await queue.unsent()
    expect(unsent.answers).toEqual([
      { sampleId: "b2-s1", label: "yes" },
      { sampleId: "b2-s2", label: "no" },
    ])
    await queue.flush()
    expect(calls.filter((c) => c.name === "SubmitAnswers")).toHaveLength(1)
  })
})
