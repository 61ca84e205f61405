import { inviteState, taskScope } from "./crowd"

const open = { usable: true, revokedAt: null, uses: 0, maxUses: 1, expiresAt: null }
const now = new Date("2026-12-02T12:00:00Z")

describe("why an invite is closed", () => {
  it("follows the server's usable, then names the reason", () => {
    expect(inviteState(open, now)).toBe("usable")
    expect(inviteState({ ...open, usable: false, revokedAt: "2026-12-01T00:00:00+00:00", uses: 1 }, now)).toBe(
      "revoked",
    )
    expect(inviteState({ ...open, usable: false, uses: 1 }, now)).toBe("used-up")
    expect(inviteState({ ...open, usable: false, expiresAt: "2026-12-02T11:59:00" }, now)).toBe("expired")
  })
})

describe("what an invite covers", () => {
  it("names tasks by title, every task when it names none, and a deleted task as such", () => {
    const titles = new Map([["1", "Long sleeves?"]])
    expect(taskScope(null, titles)).toBe("Every task")
    expect(taskScope(["1", "9"], titles)).toBe("Long sleeves?, Task 9 (deleted)")
  })
})
