import { asSentence, formatRetry, formatShareOf } from "./format"

describe("when to try again", () => {
  const now = new Date(2026, 11, 2, 10, 40, 0)
  it("says seconds for a short wait and minutes for a long one, with the clock time", () => {
    expect(formatRetry(41_200, now)).toMatch(/^in 42 s \(at .*10.40.42.*\)$/)
    expect(formatRetry(150_000, now)).toMatch(/^in 3 min \(at .*10.42.30.*\)$/)
  })

  it("never says zero", () => {
    expect(formatRetry(0, now)).toMatch(/^in 1 s /)
  })
})

describe("a share of a count", () => {
  it("shows the share with what it counts, and a dash for nothing counted", () => {
    expect(formatShareOf(0.8, 10)).toMatch(/^80[.,]0\s?% of 10$/)
    expect(formatShareOf(null, 0)).toBe("—")
  })
})

describe("a server's message as a sentence", () => {
  it("starts with a capital, the rest as the server wrote it", () => {
    expect(asSentence("no task 7")).toBe("No task 7")
    expect(asSentence("")).toBe("")
  })
})
