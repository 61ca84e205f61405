import { act, fireEvent, render, screen } from "@testing-library/react-native"
import { Linking, Text } from "react-native"
import { SafeAreaProvider } from "react-native-safe-area-context"
import { StyleSheet } from "react-native"
import AsyncStorage from "@react-native-async-storage/async-storage"
import { clearToken, loadToken, saveToken } from "../services/storage/secureToken"
import { SessionProvider, useSession } from "../services/session/SessionContext"
import { en } from "../i18n/en"
import { SignInScreen } from "./SignInScreen"

const metrics = { frame: { x: 0, y: 0, width: 390, height: 844 }, insets: { top: 0, left: 0, right: 0, bottom: 0 } }

function Probe() {
  const { state, signOut } = useSession()
  if (state.status !== "signedIn") return <SignInScreen />
  return (
    <Text onPress={signOut} testID="signed-in">
      signed in as {state.session.name}
    </Text>
  )
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

/** The server's answer to registerAnnotator: a token, or an error with its code (and field). */
const registered = (token: string) => json({ data: { registerAnnotator: { token } } })
const refused = (code: string, message: string, field?: string) =>
  json({
    data: null,
    errors: [{ message, path: ["registerAnnotator"], extensions: { code, ...(field && { field }) } }],
  })

const sentVariables = (fetchMock: jest.SpyInstance) =>
  JSON.parse(String(fetchMock.mock.calls.at(-1)?.[1]?.body)).variables

async function fillIn(server: string, name: string, invite?: string) {
  fireEvent.changeText(await screen.findByTestId("server-url"), server)
  if (invite !== undefined) fireEvent.changeText(screen.getByTestId("invite-code"), invite)
  fireEvent.changeText(screen.getByTestId("annotator-name"), name)
  fireEvent.press(screen.getByTestId("sign-in"))
}

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
    // No code given: a server with open registration needs none.
    expect(JSON.parse(String(init?.body)).variables).toEqual({ name: "Amina", invite: null })
    expect(await loadToken()).toBe("tok-1")
  })

  it("sends the invite code as the server compares it, and shows it in groups of four as it is typed", async () => {
    const fetchMock = jest.spyOn(global, "fetch").mockResolvedValue(registered("tok-3"))
    renderSignIn()
    fireEvent.changeText(await screen.findByTestId("invite-code"), " abcd efgh-jkl")
    expect(screen.getByTestId("invite-code").props.value).toBe("ABCD-EFGH-JKL")
    // A pasted invite link gives its code.
    fireEvent.changeText(screen.getByTestId("invite-code"), "https://crowd.example.org/app/?invite=wxyz-2345-6789-abcd")
    expect(screen.getByTestId("invite-code").props.value).toBe("WXYZ-2345-6789-ABCD")
    await fillIn("http://crowd.example.org", "Amina")

    expect(await screen.findByText("signed in as Amina")).toBeTruthy()
    expect(sentVariables(fetchMock)).toEqual({ name: "Amina", invite: "WXYZ23456789ABCD" })
  })

  it.each([
    ["FORBIDDEN", "this server enrols annotators by invite: ask its admin for one", undefined, en["invite.needed"]],
    ["BAD_USER_INPUT", "no such invite: check the code", "invite", en["invite.unknown"]],
    ["BAD_USER_INPUT", "this invite was revoked", "invite", en["invite.revoked"]],
    ["BAD_USER_INPUT", "this invite expired at 2025-01-01T00:00:00+00:00", "invite", en["invite.expired"]],
    ["BAD_USER_INPUT", "this invite has been used 5 of 5 times", "invite", en["invite.usedUp"]],
    ["BAD_USER_INPUT", "name must be 1 to 100 characters", "name", "The server did not accept this: name must be"],
  ])("says what is wrong in plain words: %s %s", async (code, message, field, said) => {
    jest.spyOn(global, "fetch").mockResolvedValue(refused(code, message, field))
    renderSignIn()
    await fillIn("http://crowd.example.org", "Amina", "ABCD-EFGH-JKLM-NPQR")
    expect(await screen.findByTestId("sign-in-error")).toHaveTextContent(said, { exact: false })
    // The code field is marked when the code is what was wrong.
    const marked = StyleSheet.flatten(screen.getByTestId("invite-code").props.style).borderWidth === 2
    expect(marked).toBe(field === "invite" || code === "FORBIDDEN")
    expect(await loadToken()).toBeNull()
  })

  it("fills in the code and the server from the invite link that opened the app", async () => {
    jest.spyOn(Linking, "getInitialURL").mockResolvedValue("https://crowd.example.org/app/?invite=abcd-efgh-jklm-npqr")
    const fetchMock = jest.spyOn(global, "fetch").mockResolvedValue(registered("tok-4"))
    renderSignIn()
    expect(await screen.findByDisplayValue("ABCD-EFGH-JKLM-NPQR")).toBeTruthy()
    expect(screen.getByTestId("server-url").props.value).toBe("https://crowd.example.org")
    fireEvent.changeText(screen.getByTestId("annotator-name"), "Amina")
    fireEvent.press(screen.getByTestId("sign-in"))
    expect(await screen.findByText("signed in as Amina")).toBeTruthy()
    expect(fetchMock.mock.calls[0][0]).toBe("https://crowd.example.org/graphql")
    expect(sentVariables(fetchMock)).toEqual({ name: "Amina", invite: "ABCDEFGHJKLMNPQR" })

    // Signed out again: the code was used, so it is not offered a second time.
    fireEvent.press(screen.getByTestId("signed-in"))
    expect(await screen.findByTestId("invite-code")).toHaveProp("value", "")
  })

  it("takes the code from an app link opened while the sign-in screen shows", async () => {
    let open: (event: { url: string }) => void = () => undefined
    jest.spyOn(Linking, "addEventListener").mockImplementation((_type, listener) => {
      open = listener
      return { remove: () => undefined } as ReturnType<typeof Linking.addEventListener>
    })
    renderSignIn()
    await screen.findByTestId("invite-code")
    act(() => open({ url: "activecrowds://invite/qrst-uvwx-yz23-4567" }))
    expect(await screen.findByDisplayValue("QRST-UVWX-YZ23-4567")).toBeTruthy()
    expect(screen.getByTestId("server-url").props.value).toBe("")
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
