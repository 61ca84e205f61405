import type { Catalog, Key, Plural } from "./catalog"
import { el } from "./el"
import { en } from "./en"

export type { Key } from "./catalog"

/** The languages the app speaks; the first is the fallback. */
export const LOCALES = ["en", "el"] as const
export type Locale = (typeof LOCALES)[number]

const catalogs: Record<Locale, Catalog> = { en, el }

// Both languages have one form for 1 and another for every other number (0 included). Hermes
// lacks Intl.PluralRules on some phones, so the rule is written here, per language.
const pluralForm: Record<Locale, (n: number) => keyof Plural> = {
  en: (n) => (n === 1 ? "one" : "other"),
  el: (n) => (n === 1 ? "one" : "other"),
}

/** The language of this device (the browser's, or the phone's), if the app speaks it; else English. */
export function deviceLocale(): Locale {
  let tag = "en"
  try {
    tag = (typeof navigator !== "undefined" && navigator.language) || Intl.DateTimeFormat().resolvedOptions().locale
  } catch {
    // no Intl: English
  }
  const language = tag.toLowerCase().split(/[-_]/)[0]
  return (LOCALES as readonly string[]).includes(language) ? (language as Locale) : "en"
}

let current: Locale = deviceLocale()

/** The language in use. */
export const locale = (): Locale => current

/** Speak `next` from now on (at start; tests). Screens show it from their next render. */
export function setLocale(next: Locale): void {
  current = next
}

type Params = Record<string, string | number>

/** The words for `key` in the language in use, with `{name}` filled from `params` ({count} picks a plural). */
export function t(key: Key, params: Params = {}): string {
  const entry = catalogs[current][key] ?? catalogs.en[key]
  const text = typeof entry === "string" ? entry : entry[pluralForm[current](Number(params.count ?? 0))]
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

/** A share as a percentage the way the language writes it (87.4% / 87,4%). */
export function percent(share: number): string {
  try {
    return new Intl.NumberFormat(current, {
      style: "percent",
      maximumFractionDigits: 1,
      minimumFractionDigits: 1,
    }).format(share)
  } catch {
    return `${(share * 100).toFixed(1)}%`
  }
}
