import { sortRows } from "./sort"

describe("sorting rows", () => {
  const rows = [
    { name: "bo", agreement: 0.9, last: "2026-12-02T10:00:00+00:00" },
    { name: "Ana", agreement: null, last: null },
    { name: "cy", agreement: 0.5, last: "2026-12-02T09:00:00" },
  ]
  it("orders numbers, text (ignoring case) and times, either way", () => {
    expect(sortRows(rows, (r) => r.agreement, "ascending").map((r) => r.name)).toEqual(["cy", "bo", "Ana"])
    expect(sortRows(rows, (r) => r.name, "ascending").map((r) => r.name)).toEqual(["Ana", "bo", "cy"])
    expect(sortRows(rows, (r) => r.last, "descending").map((r) => r.name)).toEqual(["bo", "cy", "Ana"])
  })

  it("puts rows without a value last in both directions", () => {
    expect(sortRows(rows, (r) => r.agreement, "descending").map((r) => r.name)).toEqual(["bo", "cy", "Ana"])
  })
})
