import { diagnose } from "./diagnose"

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })
const failing = () => Promise.reject(new TypeError("Failed to fetch"))

describe("Why a sign-up got no answer", () => {
  it("asks the server's /healthz, at the address the user typed", async () => {
    const asked: string[] = []
    const fetchImpl = (async (url: string) => (asked.push(url), json({ status: "ok" }))) as unknown as typeof fetch
    await diagnose("crowd.example.org:8000/", fetchImpl, true)
    expect(asked).toEqual(["http://crowd.example.org:8000/healthz"])
  })

  it("says nothing answers when nothing does, on the web or a phone", async () => {
    const fetchImpl = failing as unknown as typeof fetch
    expect(await diagnose("https://crowd.test", fetchImpl, true)).toBe("unreachable")
    expect(await diagnose("https://crowd.test", fetchImpl, false)).toBe("unreachable")
  })

  it("tells a server that does not let this web page in (CORS) from one that is not there", async () => {
    // The readable request fails as a network error would; the opaque one is answered.
    const fetchImpl = ((_url: string, init?: RequestInit) =>
      init?.mode === "no-cors"
        ? Promise.resolve(new Response(null, { status: 200 }))
        : failing()) as unknown as typeof fetch
    expect(await diagnose("https://crowd.test", fetchImpl, true)).toBe("blocked")
  })

  it("tells a server that is not an ActiveCrowds server", async () => {
    const page = (async () => new Response("<html>Welcome to nginx</html>", { status: 404 })) as unknown as typeof fetch
    expect(await diagnose("https://crowd.test", page, true)).toBe("notActiveCrowds")
    const other = (async () => json({ hello: "world" })) as unknown as typeof fetch
    expect(await diagnose("https://crowd.test", other, false)).toBe("notActiveCrowds")
  })
})
