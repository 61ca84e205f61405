import { parseLocalTime, parseOptionalNumber } from "./formState"

describe("a date and time field", () => {
  it("reads the reader's local time and sends UTC", () => {
    expect(parseLocalTime("2030-01-02T03:04")).toEqual({ iso: new Date(2030, 0, 2, 3, 4).toISOString() })
  })

  it("sends nothing when empty and says so when unreadable", () => {
    expect(parseLocalTime(" ")).toEqual({ iso: null })
    expect(parseLocalTime("tomorrow")).toEqual({ error: "Enter a date and time." })
  })
})

describe("an optional number field", () => {
  it("is null when empty (the rule is off), a number, or the message to show", () => {
    expect(parseOptionalNumber("  ", "int")).toBeNull()
    expect(parseOptionalNumber("200", "int")).toBe(200)
    expect(parseOptionalNumber("0.9", "float")).toBe(0.9)
    expect(parseOptionalNumber("2.5", "int")).toBe("Enter a whole number.")
  })
})
