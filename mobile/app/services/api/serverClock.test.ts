import { ServerClock } from "./serverClock"

const server = Date.parse("2026-05-04T08:30:00Z")

describe("the server's clock, as seen from the phone", () => {
  it("reads the time off a phone whose clock is 10 minutes fast by the server's Date header", () => {
    let phone = server + 10 * 60_000
    const clock = new ServerClock(() => phone)
    clock.note(new Date(server).toUTCString(), phone - 200, phone)
    // The server said 08:30:00 about 100 ms before the answer arrived (its header has whole seconds).
    expect(Math.abs(clock.now() - (server + 100))).toBeLessThanOrEqual(1_000)
    phone += 5 * 60_000
    expect(new Date(clock.now()).toISOString()).toMatch(/^2026-05-04T08:35:0[01]/)
  })

  it("trusts a phone within a few seconds of the server, and ignores a header it cannot read", () => {
    const phone = server + 1_500
    const clock = new ServerClock(() => phone)
    clock.note(new Date(server).toUTCString(), phone, phone)
    expect(clock.now()).toBe(phone)
    clock.note("soon", phone, phone)
    clock.note(null, phone, phone)
    expect(clock.now()).toBe(phone)
  })
})
