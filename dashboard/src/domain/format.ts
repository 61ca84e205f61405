// Numbers and dates as people read them: the browser's locale, fixed decimals, tabular figures in CSS.

const percent = new Intl.NumberFormat(undefined, {
  style: "percent",
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
})
const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 })
const decimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const seconds = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 })
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" })

export const DASH = "—"

/** 0.8123 -> "81.2%"; null -> "—". */
export function formatPercent(value: number | null | undefined): string {
  return value == null || Number.isNaN(value) ? DASH : percent.format(value)
}

/** 1234 -> "1,234" (in the reader's locale). */
export function formatCount(value: number | null | undefined): string {
  return value == null ? DASH : count.format(value)
}

/** 0.8 -> "0.80": a share the API takes as a fraction. */
export function formatDecimal(value: number | null | undefined): string {
  return value == null ? DASH : decimal.format(value)
}

/**
 * The server's timestamps carry no zone and are UTC (`2026-12-02T04:43:09.003057`): read them so,
 * then show them in the reader's time zone.
 */
export function parseServerTime(iso: string | null | undefined): Date | null {
  if (!iso) return null
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`
  const date = new Date(zoned)
  return Number.isNaN(date.getTime()) ? null : date
}

export function formatDateTime(iso: string | null | undefined): string {
  const date = parseServerTime(iso)
  return date ? dateTime.format(date) : DASH
}

/** How long a round took: "5.8 s", "2 min 5 s". */
export function formatDuration(startIso: string | null | undefined, endIso: string | null | undefined): string {
  const start = parseServerTime(startIso)
  const end = parseServerTime(endIso)
  if (!start || !end) return DASH
  const total = Math.max(0, (end.getTime() - start.getTime()) / 1000)
  if (total < 60) return `${seconds.format(total)} s`
  const minutes = Math.floor(total / 60)
  return `${count.format(minutes)} min ${Math.round(total - minutes * 60)} s`
}

/** "BINARY_CLASSIFICATION" -> "Binary classification". */
export function humanize(constant: string): string {
  const words = constant.toLowerCase().replace(/_/g, " ")
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** When to try again, both ways a reader may want it: "in 42 s (at 10:41:05)", "in 3 min (at …)". */
export function formatRetry(afterMs: number, now: Date = new Date()): string {
  const totalS = Math.max(1, Math.ceil(afterMs / 1000))
  const wait = totalS < 90 ? `${count.format(totalS)} s` : `${count.format(Math.ceil(totalS / 60))} min`
  return `in ${wait} (at ${clock.format(new Date(now.getTime() + totalS * 1000))})`
}

/** A share of a count: "80.0% of 10"; none counted: "—". */
export function formatShareOf(share: number | null | undefined, of: number): string {
  return share == null || of === 0 ? DASH : `${formatPercent(share)} of ${formatCount(of)}`
}

const bytesUnits = ["bytes", "kB", "MB", "GB"] as const
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 })

/** 2_345_678 -> "2.3 MB" (powers of 1000, as download managers count). */
export function formatBytes(value: number | null | undefined): string {
  if (value == null) return DASH
  let unit = 0
  let scaled = value
  while (scaled >= 1000 && unit < bytesUnits.length - 1) {
    scaled /= 1000
    unit += 1
  }
  return `${unit === 0 ? count.format(scaled) : oneDecimal.format(scaled)} ${bytesUnits[unit]}`
}

/** A message the server wrote in lower case ("no task 7") as a sentence of its own. */
export function asSentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
