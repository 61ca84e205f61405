import { fireEvent, render, screen } from "@testing-library/react-native"
import { Text } from "react-native"
import { SafeAreaProvider } from "react-native-safe-area-context"
import AsyncStorage from "@react-native-async-storage/async-storage"
import { clearToken, loadToken, saveToken } from "../services/storage/secureToken"
import { SessionProvider, useSession } from "../services/session/SessionContext"
import { SignInScreen } from "./SignInScreen"

const metrics = { frame: { x: 0, y: 0, width: 390, height: 844 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } }

function Probe() {
  const { state } = useSession()
  return state.status === "signedIn" ? <Text>signed in as {state.session.name}</Text> : <SignInScreen />
}

function renderSignIn() {
  return render(
    <SafeAreaProvider initialMetrics={metrics}>
      <SessionProvider>
        <Probe />
      </SessionProvider>
    </SafeAreaProvider>,
  )
}

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })

describe("Sign in", () => {
  beforeEach(async () => {
    await AsyncStorage.clear()
    await clearToken()
  })
  afterEach(() => jest.restoreAllMocks())

  it("registers the annotator with the server and keeps the token on the device", async () => {
    const fetchMock = jest
      .spyOn(global, "fetch")
      .mockResolvedValue(json({ data: { registerAnnotator: { token: "tok-1" } } }))
    renderSignIn()
    fireEvent.changeText(await screen.findByTestId("server-url"), "crowd.example.org:8000/")
    fireEvent.changeText(screen.getByTestId("annotator-name"), "  Amina ")
    fireEvent.press(screen.getByTestId("sign-in"))

    expect(await screen.findByText("signed in as Amina")).toBeTruthy()
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe("http://crowd.example.org:8000/graphql")
    expect(init?.method).toBe("POST")
    expect(JSON.parse(String(init?.body)).variables).toEqual({ name: "Amina" })
    expect(await loadToken()).toBe("tok-1")
  })

  it("signs in by itself at the next start with the token kept on the device", async () => {
    await saveToken("tok-2")
    await AsyncStorage.setItem("activecrowds.profile", JSON.stringify({ serverUrl: "http://x", name: "Bo" }))
    const fetchMock = jest.spyOn(global, "fetch")
    renderSignIn()
    expect(await screen.findByText("signed in as Bo")).toBeTruthy()
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it("says so when the server cannot be reached", async () => {
    jest.spyOn(global, "fetch").mockRejectedValue(new TypeError("Failed to fetch"))
    renderSignIn()
    fireEvent.changeText(await screen.findByTestId("server-url"), "http://10.0.0.9:8000")
    fireEvent.changeText(screen.getByTestId("annotator-name"), "Amina")
    fireEvent.press(screen.getByTestId("sign-in"))
    expect(await screen.findByText("Could not reach the server. Check the address and your connection.")).toBeTruthy()
  })

  it("asks for the missing fields before calling the server", async () => {
    const fetchMock = jest.spyOn(global, "fetch")
    renderSignIn()
    fireEvent.changeText(await screen.findByTestId("server-url"), "http://10.0.0.9:8000")
    fireEvent.press(screen.getByTestId("sign-in"))
    expect(await screen.findByText("Enter your name so the team knows who labelled what.")).toBeTruthy()
    expect(fetchMock).not.toHaveBeenCalled()
  })
})
