// Tables sorted by any column, the way people expect: numbers as numbers, times as times.
import { parseServerTime } from "./format"

export type SortValue = string | number | null
export type Direction = "ascending" | "descending"

// Timestamps sort by time, not by text: the server's may or may not carry a zone.
const TIME = /^\d{4}-\d\d-\d\dT/

function comparable(value: SortValue): string | number | null {
  if (typeof value === "string" && TIME.test(value)) return parseServerTime(value)?.getTime() ?? null
  return value
}

/**
 * Rows ordered by `pick(row)`, ascending or descending; rows with no value (no answers yet, say)
 * go last either way, and ties keep the server's order.
 */
export function sortRows<Row>(rows: readonly Row[], pick: (row: Row) => SortValue, direction: Direction): Row[] {
  const sign = direction === "ascending" ? 1 : -1
  const keyed = rows.map((row, index) => ({ row, index, value: comparable(pick(row)) }))
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1
    }
    const order =
      typeof a.value === "number" && typeof b.value === "number"
        ? a.value - b.value
        : String(a.value).localeCompare(String(b.value), undefined, { sensitivity: "base", numeric: true })
    return order === 0 ? a.index - b.index : sign * order
  })
  return keyed.map((k) => k.row)
}
