import { setTimeout as sleep } from "node:timers/promises"
import { createApiConnection } from "./client"
import { endpointsFor } from "./endpoints"

/** A server's WebSocket that refuses connection_init's token, as the real one does (close 4403). */
class RefusingSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  static opened = 0
  readyState = RefusingSocket.CONNECTING
  protocol: string
  onopen: ((event: unknown) => void) | null = null
  onclose: ((event: unknown) => void) | null = null
  onmessage: ((event: unknown) => void) | null = null
  onerror: ((event: unknown) => void) | null = null

  constructor(_url: string, protocol: string) {
    this.protocol = protocol
    RefusingSocket.opened += 1
    // A socket closed (disposed) before it opened must stay closed, or it would be refused after
    // the test and fail whichever test file runs next in this worker.
    setTimeout(() => {
      if (this.readyState === RefusingSocket.CLOSED) return
      this.readyState = RefusingSocket.OPEN
      this.onopen?.({})
    }, 0)
  }

  send(data: string) {
    if (JSON.parse(data).type === "connection_init") setTimeout(() => this.close(4403, "Forbidden"), 0)
  }

  close(code = 1000, reason = "") {
    if (this.readyState === RefusingSocket.CLOSED) return
    this.readyState = RefusingSocket.CLOSED
    this.onclose?.({ code, reason, wasClean: true })
  }
}

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })

describe("the live link with a token the server refuses", () => {
  const had = globalThis.WebSocket
  beforeEach(() => {
    RefusingSocket.opened = 0
    globalThis.WebSocket = RefusingSocket as unknown as typeof WebSocket
  })
  afterEach(() => {
    globalThis.WebSocket = had
    jest.restoreAllMocks()
  })

  it("asks the server why once, reports its message, and never tries the token again", async () => {
    const fetchMock = jest.spyOn(global, "fetch").mockImplementation(async () =>
      json({
        data: null,
        errors: [{ message: "this annotator is suspended: spam", extensions: { code: "UNAUTHENTICATED" } }],
      }),
    )
    const refusals: string[] = []
    const api = createApiConnection({
      endpoints: endpointsFor("http://crowd.test"),
      token: "dead",
      onRefused: (message) => refusals.push(message),
    })
    try {
      await sleep(2_000) // four back-offs' worth for a link that retried blindly
      expect(refusals).toEqual(["this annotator is suspended: spam"])
      expect(RefusingSocket.opened).toBe(1)
      expect(fetchMock).toHaveBeenCalledTimes(1)
      expect(JSON.parse(String(fetchMock.mock.calls[0][1]?.body)).query).toMatch(/query Me/)
    } finally {
      api.dispose()
      await sleep(50) // what the disposed link had scheduled runs within this test
    }
  })

  it("tries again when the server still knows the token (a refusal while it was busy)", async () => {
    jest
      .spyOn(global, "fetch")
      .mockImplementation(async () => json({ data: { me: { __typename: "Annotator", id: "7" } } }))
    const refusals: string[] = []
    const api = createApiConnection({
      endpoints: endpointsFor("http://crowd.test"),
      token: "alive",
      onRefused: (message) => refusals.push(message),
    })
    try {
      await sleep(1_500)
      expect(refusals).toEqual([])
      expect(RefusingSocket.opened).toBeGreaterThan(1)
    } finally {
      api.dispose()
      await sleep(50) // what the disposed link had scheduled runs within this test
    }
  })
})
