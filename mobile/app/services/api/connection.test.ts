import { initialConnection, nextConnection, wakeableWait } from "./connection"

describe("the connection's state", () => {
  const down = nextConnection(initialConnection, "liveDown")

  it("counts a reconnect when the live link comes back after a drop", () => {
    expect(down).toEqual({ epoch: 0, connected: false, online: true })
    expect(nextConnection(down, "liveUp")).toEqual({ epoch: 1, connected: true, online: true })
    expect(nextConnection(initialConnection, "liveUp")).toBe(initialConnection)
  })

  it("is offline when a request cannot reach the server or the device loses its network", () => {
    const offline = nextConnection(down, "unreachable")
    expect(offline).toEqual({ epoch: 0, connected: false, online: false })
    // Back online (a request got an answer, or the device has a network again): screens refetch at
    // once, even while the live link is still on its way back.
    expect(nextConnection(offline, "reached")).toEqual({ epoch: 1, connected: false, online: true })
    expect(nextConnection(offline, "deviceOnline")).toEqual({ epoch: 1, connected: false, online: true })
    expect(nextConnection(initialConnection, "reached")).toBe(initialConnection)
  })
})

describe("wakeableWait", () => {
  beforeEach(() => jest.useFakeTimers())
  afterEach(() => jest.useRealTimers())

  it("backs off, doubling to a ceiling", async () => {
    const { wait } = wakeableWait(500, 10_000)
    let done = false
    void wait(3).then(() => (done = true))
    await jest.advanceTimersByTimeAsync(3_999)
    expect(done).toBe(false)
    await jest.advanceTimersByTimeAsync(1)
    expect(done).toBe(true)
  })

  it("ends every wait at once when woken (the network is back: do not sit out the back-off)", async () => {
    const { wait, wake } = wakeableWait(500, 10_000)
    let done = 0
    void wait(8).then(() => done++)
    void wait(8).then(() => done++)
    wake()
    await jest.advanceTimersByTimeAsync(0)
    expect(done).toBe(2)
  })
})
