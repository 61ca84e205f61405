import { parseLocalTime } from "./formState"

describe("a date and time field", () => {
  it("reads the reader's local time and sends UTC", () => {
    expect(parseLocalTime("2030-01-02T03:04")).toEqual({ iso: new Date(2030, 0, 2, 3, 4).toISOString() })
  })

  it("sends nothing when empty and says so when unreadable", () => {
    expect(parseLocalTime(" ")).toEqual({ iso: null })
    expect(parseLocalTime("tomorrow")).toEqual({ error: "Enter a date and time." })
  })
})
