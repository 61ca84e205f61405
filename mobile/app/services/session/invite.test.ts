import { describeSignUpProblem, formatInvite, inviteFromLink, normalizeInvite } from "./invite"

describe("invite codes", () => {
  it("compares codes as the server does: case, spaces and dashes do not matter", () => {
    expect(normalizeInvite(" abcd-EFGH jklm\tnpqr ")).toBe("ABCDEFGHJKLMNPQR")
    expect(normalizeInvite("")).toBe("")
  })

  it("shows a code in groups of four, also while it is being typed", () => {
    expect(formatInvite("abcdefghjklmnpqr")).toBe("ABCD-EFGH-JKLM-NPQR")
    expect(formatInvite("abcd-")).toBe("ABCD")
    expect(formatInvite("abcde")).toBe("ABCD-E")
    expect(formatInvite(" - ")).toBe("")
  })

  it("reads the code, and the server, from the link an admin's createInvite hands out", () => {
    expect(inviteFromLink("https://crowd.example.org/app/?invite=ABCD-EFGH-JKLM-NPQR")).toEqual({
      code: "ABCD-EFGH-JKLM-NPQR",
      serverUrl: "https://crowd.example.org",
    })
    // Behind a path, with other parameters, encoded, in lower case.
    expect(inviteFromLink("http://10.0.0.9:8000/crowd/app?lang=el&invite=abcd%20efgh-jklm-npqr#top")).toEqual({
      code: "ABCD-EFGH-JKLM-NPQR",
      serverUrl: "http://10.0.0.9:8000/crowd",
    })
  })

  it("reads the code from the app's own link (and Expo Go's), which names no server", () => {
    expect(inviteFromLink("activecrowds://invite/abcd-efgh-jklm-npqr")).toEqual({
      code: "ABCD-EFGH-JKLM-NPQR",
      serverUrl: null,
    })
    expect(inviteFromLink("exp://192.168.1.20:8081/--/invite/ABCDEFGHJKLMNPQR")?.code).toBe("ABCD-EFGH-JKLM-NPQR")
  })

  it("finds no invite in other links or text", () => {
    for (const text of [
      "https://crowd.example.org/app/",
      "https://crowd.example.org/app/?invite=",
      "https://crowd.example.org/app/?uninvite=ABCD",
      "activecrowds://tasks/7",
      "ABCD-EFGH-JKLM-NPQR",
      "",
    ]) {
      expect([text, inviteFromLink(text)]).toEqual([text, null])
    }
  })
})

describe("why a sign-up failed", () => {
  const server = (code: "FORBIDDEN" | "BAD_USER_INPUT", message: string, field?: string) => ({
    kind: "server" as const,
    code,
    message,
    ...(field ? { field } : {}),
  })

  it("tells the code's problems apart, and says when the code is at fault", () => {
    expect(describeSignUpProblem(server("FORBIDDEN", "this server enrols annotators by invite"))).toEqual({
      message: expect.stringMatching(/by invite only/),
      invite: true,
    })
    const said = (message: string) => describeSignUpProblem(server("BAD_USER_INPUT", message, "invite"))
    expect(said("no such invite: check the code").message).toMatch(/does not know this invite code/)
    expect(said("this invite was revoked").message).toMatch(/withdrawn this invite/)
    expect(said("this invite expired at 2025-01-01T00:00:00+00:00").message).toMatch(/has expired/)
    expect(said("this invite has been used 3 of 3 times").message).toMatch(/as many times as it allows/)
    expect(said("a new reason")).toEqual({ message: "The server did not accept this: a new reason", invite: true })
  })

  it("leaves other problems to the general words", () => {
    expect(describeSignUpProblem({ kind: "network" })).toEqual({
      message: "Could not reach the server. Check the address and your connection.",
      invite: false,
    })
    expect(describeSignUpProblem({ kind: "network" }, "notActiveCrowds").message).toMatch(/not an ActiveCrowds server/)
    expect(describeSignUpProblem({ kind: "network" }, "blocked").message).toMatch(/ACTIVECROWDS_CORS_ORIGINS/)
    expect(describeSignUpProblem(server("BAD_USER_INPUT", "name must be 1 to 100 characters", "name"))).toEqual({
      message: "The server did not accept this: name must be 1 to 100 characters",
      invite: false,
    })
  })
})
