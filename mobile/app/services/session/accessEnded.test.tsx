import AsyncStorage from "@react-native-async-storage/async-storage"
import { act, fireEvent, render, screen } from "@testing-library/react-native"
import type { Client } from "@urql/core"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { AppNavigator } from "../../navigation/AppNavigator"
import { NavigationProvider } from "../../navigation/navigator"
import { AccessEndedScreen, SignInScreen } from "../../screens"
import { aTask } from "../../test/fixtures"
import { fakeClient, serverError } from "../../test/fakeClient"
import { ApiProvider } from "../api/ApiProvider"
import { AnswerQueue } from "../queue/answerQueue"
import { QueueProvider } from "../queue/QueueProvider"
import { memoryStore } from "../storage/keyValue"
import { clearToken, loadToken, saveToken } from "../storage/secureToken"
import { SessionProvider, useSession, type Session } from "./SessionContext"

const metrics = { frame: { x: 0, y: 0, width: 390, height: 844 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } }
const session = { serverUrl: "http://crowd.test:8000", name: "Amina", token: "dead-token", owner: "" }
const SUSPENDED = "this annotator is suspended: too many wrong control answers"

/** The app's gate (why access ended, else sign-in, when signed out), a fake client behind sign-in. */
function Gate({ client, queue }: { client: Client; queue: AnswerQueue }) {
  const { state } = useSession()
  if (state.status === "signedOut") return state.ended ? <AccessEndedScreen ended={state.ended} /> : <SignInScreen />
  if (state.status !== "signedIn") return null
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

function renderApp(client: Client, queue: AnswerQueue, initial?: Session) {
  return render(
    <SafeAreaProvider initialMetrics={metrics}>
      <SessionProvider initial={initial}>
        <Gate client={client} queue={queue} />
      </SessionProvider>
    </SafeAreaProvider>,
  )
}

async function renderSignedIn(client: Client, queue: AnswerQueue) {
  await saveToken(session.token)
  await AsyncStorage.setItem("activecrowds.profile", JSON.stringify({ ...session, token: undefined }))
  return renderApp(client, queue, session)
}

const submits = (calls: { name: string }[]) => calls.filter((c) => c.name === "SubmitAnswers")

describe("A sign-in the server ends (suspended, revoked, expired)", () => {
  beforeEach(async () => {
    await AsyncStorage.clear()
    await clearToken()
  })

  it("says why in the server's words the moment an open subscription ends, and drops the token", async () => {
    const { client, fail } = fakeClient({ Task: () => ({ task: aTask() }) })
    await renderSignedIn(client, new AnswerQueue(memoryStore()))
    await screen.findByTestId("screen-task")

    act(() => fail("TaskEvents", SUSPENDED, "UNAUTHENTICATED"))

    expect(await screen.findByTestId("access-ended")).toHaveTextContent(/Your account is suspended/)
    expect(screen.getByTestId("server-message")).toHaveTextContent(`The server said: “${SUSPENDED}”`)
    expect(screen.queryByTestId("answers-left-behind")).toBeNull()
    expect(screen.queryByTestId("screen-task")).toBeNull()
    expect(await loadToken()).toBeNull()
  })

  it("says why when a refetch of the task on screen is refused, instead of losing the screen", async () => {
    let revoked = false
    const { client, push } = fakeClient({
      Task: () => (revoked ? serverError("UNAUTHENTICATED", "invalid token") : { task: aTask() }),
    })
    await renderSignedIn(client, new AnswerQueue(memoryStore()))
    await screen.findByTestId("screen-task")

    revoked = true
    await act(async () =>
      push("TaskEvents", {
        taskEvents: { __typename: "NewBatchAvailable", batch: { __typename: "Batch", id: "b3", number: 3 } },
      }),
    )
    expect(await screen.findByTestId("access-ended")).toHaveTextContent(/Your sign-in is no longer valid/)
  })

  it("offers to sign up again, with the address and name filled in and the invite code to give", async () => {
    const { client } = fakeClient({ Task: () => serverError("UNAUTHENTICATED", "invalid token") })
    await renderSignedIn(client, new AnswerQueue(memoryStore()))

    expect(await screen.findByTestId("access-ended")).toHaveTextContent(/Your sign-in is no longer valid/)
    expect(screen.getByTestId("screen-access-ended")).toHaveTextContent(/ask the team for a new invite/)
    fireEvent.press(screen.getByTestId("sign-up-again"))

    expect(await screen.findByTestId("screen-sign-in")).toBeTruthy()
    expect(screen.getByTestId("server-url").props.value).toBe(session.serverUrl)
    expect(screen.getByTestId("annotator-name").props.value).toBe("Amina")
    expect(screen.getByTestId("invite-code").props.value).toBe("")
  })

  it("tells which answers could not be sent, keeps them, and never sends them again", async () => {
    const queue = new AnswerQueue(memoryStore())
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    await queue.answer("t1", "b2", { sampleId: "b2-s2", label: "no" })
    await queue.submit("t1", "b2") // no transport yet: waits in the outbox, as after a network cut
    await queue.answer("t1", "b3", { sampleId: "b3-s1", label: "yes" }) // a batch not finished
    const expired = "this token expired; register again or ask for a new invite"
    const { client, calls } = fakeClient({
      Task: () => ({ task: aTask({ lockedForMe: true }) }),
      SubmitAnswers: () => serverError("UNAUTHENTICATED", expired),
    })
    await renderSignedIn(client, queue)

    expect(await screen.findByTestId("access-ended")).toHaveTextContent(/Your sign-in has expired/)
    expect(screen.getByTestId("unsent-answers")).toHaveTextContent(
      /2 answers given under this sign-in could not be sent.*never sent under a new sign-in/,
    )
    expect(screen.getByTestId("unfinished-answers")).toHaveTextContent(
      /1 answer to a batch you had not finished was not sent either/,
    )
    expect(submits(calls)).toHaveLength(1)
    expect(await loadToken()).toBeNull()
    // Kept on the device, out of the outbox: a new sign-in will not send them as someone else's.
    expect(await queue.pending()).toEqual([])
    const [unsent] = await queue.unsent()
    expect(unsent.answers).toEqual([
      { sampleId: "b2-s1", label: "yes" },
      { sampleId: "b2-s2", label: "no" },
    ])
    expect(await queue.draft("t1", "b3")).toEqual([{ sampleId: "b3-s1", label: "yes" }])
    await queue.flush()
    expect(submits(calls)).toHaveLength(1)
  })

  it("still says why after the app is closed and opened again, until the user has read it", async () => {
    const { client } = fakeClient({ Task: () => serverError("UNAUTHENTICATED", SUSPENDED) })
    const first = await renderSignedIn(client, new AnswerQueue(memoryStore()))
    await screen.findByTestId("access-ended")
    first.unmount()

    const again = renderApp(client, new AnswerQueue(memoryStore()))
    expect(await screen.findByTestId("server-message")).toHaveTextContent(SUSPENDED, { exact: false })
    fireEvent.press(screen.getByTestId("sign-up-again"))
    await screen.findByTestId("screen-sign-in")
    again.unmount()

    renderApp(client, new AnswerQueue(memoryStore()))
    expect(await screen.findByTestId("screen-sign-in")).toBeTruthy()
    expect(screen.queryByTestId("access-ended")).toBeNull()
    expect(screen.getByTestId("annotator-name").props.value).toBe("Amina")
  })
})
