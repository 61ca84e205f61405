import { readAlpha } from "./agreement"
import { formatBytes } from "./format"

describe("an alpha in words", () => {
  it("reads the usual cut-offs", () => {
    expect(readAlpha(0.91)).toEqual({ words: "Reliable agreement", tone: "ok" })
    expect(readAlpha(0.7).tone).toBe("warn")
    expect(readAlpha(0.3).words).toBe("Low agreement")
    expect(readAlpha(-0.2).words).toBe("No better than chance")
  })

  it("says when there is nothing to tell yet", () => {
    expect(readAlpha(null)).toEqual({ words: "Not enough shared answers yet", tone: "neutral" })
  })
})

describe("a size in bytes", () => {
  it("uses the unit a download manager shows", () => {
    expect(formatBytes(512)).toBe("512 bytes")
    expect(formatBytes(2_345_678)).toMatch(/^2[.,]3 MB$/)
    expect(formatBytes(16_200)).toMatch(/^16[.,]2 kB$/)
    expect(formatBytes(null)).toBe("—")
  })
})
