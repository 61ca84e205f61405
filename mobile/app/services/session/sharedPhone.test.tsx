import AsyncStorage from "@react-native-async-storage/async-storage"
import { act, fireEvent, render, screen } from "@testing-library/react-native"
import type { Client } from "@urql/core"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { Gate } from "../../app"
import { aTask } from "../../test/fixtures"
import { fakeClient } from "../../test/fakeClient"
import type { SubmitResult } from "../api/submit"
import type { Submission } from "../queue/answerQueue"
import { Handover, HandoverContext } from "../queue/handover"
import { deviceStore } from "../storage/keyValue"
import { clearToken, ownerTokens } from "../storage/secureToken"
import { SessionProvider, type Session } from "./SessionContext"

const metrics = { frame: { x: 0, y: 0, width: 390, height: 844 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } }
const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })

/**
 * One phone: device storage survives sign-outs; the server hands out a token per sign-in and
 * records, per token, every batch of answers it got (through the app's client or the hand-over).
 */
function phone() {
  const network = { up: true }
  const received: { token: string; batchId: string }[] = []
  const released: string[] = []
  jest.spyOn(global, "fetch").mockImplementation(async (_url, init) => {
    const { variables } = JSON.parse(String(init?.body))
    return json({ data: { registerAnnotator: { token: `tok-${variables.name}` } } })
  })
  const submit = (token: string, batchId: string): SubmitResult => {
    if (!network.up) return { kind: "network" }
    received.push({ token, batchId })
    return { kind: "ok", accepted: 3, counted: 3 }
  }
  const clientFor = ({ token }: Session): Client =>
    fakeClient({
      Categories: () => ({ categories: [] }),
      Task: () => ({ task: aTask() }),
      ReleaseAssignments: () => {
        if (!network.up) return new Error("Failed to fetch")
        released.push(token)
        return { releaseAssignments: true }
      },
      SubmitAnswers: ({ batchId }) => {
        const result = submit(token, String(batchId))
        if (result.kind !== "ok") return new Error("Failed to fetch")
        const task = { __typename: "Task", id: "t1", status: "COLLECTING", lockedForMe: true }
        return { submitAnswers: { __typename: "SubmitAnswersPayload", accepted: 3, counted: 3, task } }
      },
    }).client
  const handover = new Handover(deviceStore, (_url, token) => async (s: Submission) => submit(token, s.batchId))
  render(
    <SafeAreaProvider initialMetrics={metrics}>
      <SessionProvider>
        <HandoverContext.Provider value={handover}>
          <Gate clientFor={clientFor} routes={[{ name: "categories" }, { name: "task", taskId: "t1" }]} />
        </HandoverContext.Provider>
      </SessionProvider>
    </SafeAreaProvider>,
  )
  return { network, received, released, handover }
}

async function signIn(name: string) {
  fireEvent.changeText(await screen.findByTestId("server-url"), "http://crowd.test")
  fireEvent.changeText(screen.getByTestId("annotator-name"), name)
  fireEvent.press(screen.getByTestId("sign-in"))
  await screen.findByTestId("screen-task")
}

async function answer(n: number) {
  fireEvent.press(await screen.findByTestId("start-labelling"))
  for (let i = 0; i < n; i++) {
    fireEvent(await screen.findByTestId("sample-full-image"), "load")
    await act(async () => jest.advanceTimersByTime(400))
    fireEvent.press(screen.getByText("Yes"))
    await screen.findByText(`${Math.min(i + 2, 3)} / 3`)
  }
}

async function signOutFromTask() {
  while (!screen.queryByTestId("sign-out")) fireEvent.press(screen.getByTestId("back"))
  fireEvent.press(screen.getByTestId("sign-out"))
  return screen.findByTestId("sign-out-check")
}

describe("A phone shared by several annotators (bug 2)", () => {
  beforeEach(async () => {
    jest.useFakeTimers()
    await AsyncStorage.clear()
    await clearToken()
  })
  afterEach(() => {
    jest.useRealTimers()
    jest.restoreAllMocks()
  })

  it("never offers one annotator's unfinished batch to the next", async () => {
    phone()
    await signIn("Amina")
    await answer(2)
    fireEvent.press(screen.getByTestId("back"))
    expect(await screen.findByText("Continue (2 / 3)")).toBeTruthy()

    // Amina signs out: the app says her unfinished answers go, and she agrees.
    expect(await signOutFromTask()).toHaveTextContent(/2 answers to a batch you have not finished will be deleted/)
    fireEvent.press(screen.getByTestId("sign-out-confirm"))

    // Bo signs in on the same phone: a fresh start, nothing of Amina's.
    await signIn("Bo")
    expect(await screen.findByText("Start labelling")).toBeTruthy()
    expect(screen.queryByText(/Continue/)).toBeNull()
  })

  it("warns about unsent answers at sign-out, then sends them with their own token, never the next one's", async () => {
    const { network, received, handover } = phone()
    await signIn("Carla")
    network.up = false
    await answer(3)
    fireEvent.press(await screen.findByTestId("submit"))
    expect(await screen.findByText("Answers saved on this phone")).toBeTruthy()

    const check = await signOutFromTask()
    expect(check).toHaveTextContent(/3 answers saved on this phone could not be sent yet/)
    expect(check).toHaveTextContent(/never under anyone else's/)
    fireEvent.press(screen.getByTestId("sign-out-confirm"))

    // Dan signs in, online: Carla's answers go up as Carla's, and Dan still has the batch to answer.
    network.up = true
    await signIn("Dan")
    await act(() => handover.deliver())
    expect(received).toEqual([{ token: "tok-Carla", batchId: "b2" }])
    expect(await screen.findByText("Start labelling")).toBeTruthy()
    expect(await handover.waiting()).toBe(0)
    expect(await ownerTokens.load("anyone")).toBeNull()
  })

  it("signs out at once when every answer is sent", async () => {
    phone()
    await signIn("Amina")
    fireEvent.press(screen.getByTestId("back"))
    fireEvent.press(await screen.findByTestId("sign-out"))
    expect(await screen.findByTestId("screen-sign-in")).toBeTruthy()
    expect(screen.queryByTestId("sign-out-check")).toBeNull()
  })

  it("hands back the photos handed to this sign-in, with its own token, so the next annotator gets them now", async () => {
    const { released } = phone()
    await signIn("Amina")
    fireEvent.press(screen.getByTestId("back"))
    fireEvent.press(await screen.findByTestId("sign-out"))
    expect(await screen.findByTestId("screen-sign-in")).toBeTruthy()
    expect(released).toEqual(["tok-Amina"])
  })

  it("signs out offline too: the photos handed out go back when their lease ends", async () => {
    const { network, released } = phone()
    await signIn("Amina")
    network.up = false
    fireEvent.press(screen.getByTestId("back"))
    fireEvent.press(await screen.findByTestId("sign-out"))
    expect(await screen.findByTestId("screen-sign-in")).toBeTruthy()
    expect(released).toEqual([])
  })
})
