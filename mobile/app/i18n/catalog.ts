import type { en } from "./en"

/** A catalogue's keys: en.ts is the reference. */
export type Key = keyof typeof en

/** A word, or the forms of a phrase with a count in it. */
export type Plural = { one: string; other: string }

/** A whole catalogue: every key of en.ts, a plural where en.ts has one. */
export type Catalog = { [K in Key]: (typeof en)[K] extends string ? string : Plural }
