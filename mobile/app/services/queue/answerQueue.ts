import { isRetryable, isTokenRefused, type Problem } from "../api/problem"
import type { SubmitResult } from "../api/submit"
import { loadJson, saveJson, type KeyValueStore } from "../storage/keyValue"

/** One label given to one sample. */
export type Answer = { sampleId: string; label: string }

/**
 * A finished batch of answers waiting to reach the server; sent byte-for-byte as stored.
 * `openedAt`: when this sign-in first opened the batch (absent in submissions queued by older builds).
 */
export type Submission = {
  taskId: string
  batchId: string
  answers: Answer[]
  openedAt?: string
  queuedAt: number
  attempts: number
}

/**
 * A batch as this sign-in first opened it: when (ISO 8601, UTC), and the samples the server had
 * handed out then, in order. The server judges late answers by `openedAt`; the samples stay the
 * ones shown, whatever later fetches hand out.
 */
export type Opened = { openedAt: string; sampleIds: string[] }

export type Transport = (submission: Submission) => Promise<SubmitResult>

/** What became of a submission the user just made. */
export type SubmitOutcome =
  | { kind: "sent"; accepted: number; counted: number }
  | { kind: "queued"; problem: Problem }
  | { kind: "rejected"; problem: Problem }

export type QueueEvent =
  | { type: "sent"; submission: Submission; accepted: number; counted: number }
  | { type: "waiting"; submission: Submission; problem: Problem; retryInMs: number }
  | { type: "rejected"; submission: Submission; problem: Problem }
  | { type: "unauthenticated"; submission: Submission; message: string }
  | { type: "changed" }

/** Answers that stayed on the device, unsent, when their sign-in was refused. */
export type LeftBehind = {
  /** In finished batches (the outbox): moved to `unsent`. */
  unsent: number
  /** In unfinished batches: their drafts stay where they are, under their owner. */
  unfinished: number
}

export type Scheduler = (run: () => void, ms: number) => () => void

type Options = {
  /**
   * Whose answers these are (the signed-in session's owner id): each annotator on a shared phone
   * has drafts and an outbox of their own. Absent or "": the layout from before owners, kept for
   * the session that was signed in when the app was updated.
   */
  owner?: string
  transport?: Transport
  schedule?: Scheduler
  now?: () => number
  baseDelayMs?: number
  maxDelayMs?: number
}

/** Where one owner's answers live in device storage. */
function keysOf(owner: string | undefined) {
  const prefix = owner ? `answers@${owner}.` : "answers."
  return {
    outbox: `${prefix}outbox`,
    unsent: `${prefix}unsent`,
    draftPrefix: `${prefix}draft.`,
    draft: (taskId: string, batchId: string) => `${prefix}draft.${taskId}.${batchId}`,
    openedPrefix: `${prefix}opened.`,
    opened: (taskId: string, batchId: string) => `${prefix}opened.${taskId}.${batchId}`,
  }
}

const keyOf = (s: { taskId: string; batchId: string }) => `${s.taskId}/${s.batchId}`

// What a submit after setAside gets: the sign-in that would send it is over.
const SET_ASIDE: Problem = { kind: "server", code: "UNAUTHENTICATED", message: "signed out" }

const defaultSchedule: Scheduler = (run, ms) => {
  const id = setTimeout(run, ms)
  return () => clearTimeout(id)
}

/**
 * Answers live on the device from the moment they are given: drafts per batch, then an outbox of
 * submissions that is retried with the identical payload until the server answers for real.
 */
export class AnswerQueue {
  private readonly store: KeyValueStore
  private readonly keys: ReturnType<typeof keysOf>
  private transport: Transport | null
  private readonly schedule: Scheduler
  private readonly now: () => number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private writes: Promise<unknown> = Promise.resolve()
  private flushing: Promise<Map<string, SubmitResult>> = Promise.resolve(new Map())
  private cancelRetry: (() => void) | null = null
  /** Set aside: the sign-in was refused, so no answer is taken or sent any more. */
  private ended = false
  private readonly listeners = new Set<(event: QueueEvent) => void>()

  constructor(store: KeyValueStore, options: Options = {}) {
    this.store = store
    this.keys = keysOf(options.owner)
    this.transport = options.transport ?? null
    this.schedule = options.schedule ?? defaultSchedule
    this.now = options.now ?? Date.now
    this.baseDelayMs = options.baseDelayMs ?? 2_000
    this.maxDelayMs = options.maxDelayMs ?? 60_000
  }

  /** Use `transport` from now on (null while signed out) and try the outbox with it. */
  setTransport(transport: Transport | null): void {
    this.transport = transport
    if (transport) void this.flush()
  }

  /** Listen to what happens to submissions; returns the unsubscribe function. */
  subscribe(listener: (event: QueueEvent) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** The answers given so far for a batch, in the order given. */
  async draft(taskId: string, batchId: string): Promise<Answer[]> {
    await this.writes
    return (await loadJson<Answer[]>(this.store, this.keys.draft(taskId, batchId))) ?? []
  }

  /** Save one answer now; answering a sample again replaces its label in place. */
  answer(taskId: string, batchId: string, answer: Answer): Promise<Answer[]> {
    return this.editDraft(taskId, batchId, (answers) => {
      const at = answers.findIndex((a) => a.sampleId === answer.sampleId)
      if (at < 0) return [...answers, answer]
      return answers.map((a, i) => (i === at ? answer : a))
    })
  }

  /** Take back the answer to one sample (undo). */
  unanswer(taskId: string, batchId: string, sampleId: string): Promise<Answer[]> {
    return this.editDraft(taskId, batchId, (answers) => answers.filter((a) => a.sampleId !== sampleId))
  }

  /** The batch as this owner first opened it, or null when it has not (or has submitted it). */
  async opened(taskId: string, batchId: string): Promise<Opened | null> {
    await this.writes
    return loadJson<Opened>(this.store, this.keys.opened(taskId, batchId))
  }

  /**
   * Open a batch with the samples the server hands out now (`sampleIds`, in order): the first
   * time this is recorded, with the time; afterwards the record of that first time is returned.
   * Null when nothing is handed out and nothing was opened before (nothing to answer).
   */
  open(taskId: string, batchId: string, sampleIds: string[]): Promise<Opened | null> {
    return this.exclusive(async () => {
      const key = this.keys.opened(taskId, batchId)
      const known = await loadJson<Opened>(this.store, key)
      // Answers drafted before there were records (an older build) keep their samples on the list.
      const drafted = ((await loadJson<Answer[]>(this.store, this.keys.draft(taskId, batchId))) ?? []).map(
        (a) => a.sampleId,
      )
      const ids = [...drafted, ...sampleIds.filter((id) => !drafted.includes(id))]
      if (known || ids.length === 0 || this.ended) return known
      const opened = { openedAt: new Date(this.now()).toISOString(), sampleIds: ids }
      await saveJson(this.store, key, opened)
      return opened
    })
  }

  /** How many answers this owner's unfinished batches hold. */
  async draftedAnswers(): Promise<number> {
    await this.writes
    const drafts = await Promise.all((await this.draftKeys()).map((k) => loadJson<Answer[]>(this.store, k)))
    return drafts.reduce((n, d) => n + (d?.length ?? 0), 0)
  }

  /** Delete this owner's unfinished batches (sign out: nobody else may finish or send them). */
  forgetDrafts(): Promise<void> {
    return this.exclusive(async () => {
      const keys = await this.store.getAllKeys()
      const mine = keys.filter((k) => k.startsWith(this.keys.draftPrefix) || k.startsWith(this.keys.openedPrefix))
      for (const key of mine) await this.store.removeItem(key)
    })
  }

  /** Submissions not yet accepted by the server, oldest first. */
  async pending(): Promise<Submission[]> {
    await this.writes
    return this.readOutbox()
  }

  /**
   * The identity that gave these answers is gone (its token was refused): from now on this queue
   * takes no answer and sends nothing; the outbox moves out of the way so a later sign-in never
   * sends it as someone else's; everything stays on the device. Returns what was left behind.
   */
  async setAside(): Promise<LeftBehind> {
    this.ended = true
    this.dispose()
    const moved = await this.exclusive(async () => {
      const outbox = await this.readOutbox()
      const unsent = (await loadJson<Submission[]>(this.store, this.keys.unsent)) ?? []
      await saveJson(this.store, this.keys.unsent, [...unsent, ...outbox])
      await this.store.removeItem(this.keys.outbox)
      return outbox
    })
    this.emit({ type: "changed" })
    return { unsent: moved.reduce((n, s) => n + s.answers.length, 0), unfinished: await this.draftedAnswers() }
  }

  /** Submissions set aside because their sign-in was refused (kept, never sent). */
  async unsent(): Promise<Submission[]> {
    await this.writes
    return (await loadJson<Submission[]>(this.store, this.keys.unsent)) ?? []
  }

  /** Move a batch's draft into the outbox and try to send it. */
  async submit(taskId: string, batchId: string): Promise<SubmitOutcome> {
    if (this.ended) return { kind: "rejected", problem: SET_ASIDE }
    await this.exclusive(async () => {
      const answers = (await loadJson<Answer[]>(this.store, this.keys.draft(taskId, batchId))) ?? []
      const opened = await loadJson<Opened>(this.store, this.keys.opened(taskId, batchId))
      const outbox = await this.readOutbox()
      // A batch already in the outbox keeps its first payload: retries must be identical.
      if (answers.length > 0 && !outbox.some((s) => keyOf(s) === keyOf({ taskId, batchId }))) {
        const openedAt = opened ? { openedAt: opened.openedAt } : {}
        outbox.push({ taskId, batchId, answers, ...openedAt, queuedAt: this.now(), attempts: 0 })
        await saveJson(this.store, this.keys.outbox, outbox)
      }
      await this.store.removeItem(this.keys.draft(taskId, batchId))
      await this.store.removeItem(this.keys.opened(taskId, batchId))
    })
    this.emit({ type: "changed" })
    const result = (await this.flush()).get(keyOf({ taskId, batchId }))
    if (!result) return { kind: "queued", problem: { kind: "network" } }
    if (result.kind === "ok") return { kind: "sent", accepted: result.accepted, counted: result.counted }
    const kept = isRetryable(result) || isTokenRefused(result)
    return kept ? { kind: "queued", problem: result } : { kind: "rejected", problem: result }
  }

  /** Send what the outbox holds, in order; one flush at a time. Returns each attempt's result. */
  flush(): Promise<Map<string, SubmitResult>> {
    const run = this.flushing.then(() => this.sendOutbox())
    this.flushing = run.catch(() => new Map())
    return run
  }

  /** Resolves when no flush is running (the current one and any queued behind it). */
  async settled(): Promise<void> {
    await this.flushing
  }

  /** Stop the retry timer (sign out, unmount). */
  dispose(): void {
    this.cancelRetry?.()
    this.cancelRetry = null
  }

  private async sendOutbox(): Promise<Map<string, SubmitResult>> {
    const results = new Map<string, SubmitResult>()
    const transport = this.transport
    if (!transport || this.ended) return results
    this.dispose()
    for (const submission of await this.pending()) {
      const result = await this.attempt(transport, submission)
      results.set(keyOf(submission), result)
      if (isTokenRefused(result)) {
        // Not the answers' fault: keep them all, and stop until someone decides (see setAside).
        this.emit({ type: "unauthenticated", submission, message: result.message })
        break
      }
      if (result.kind !== "ok" && isRetryable(result)) {
        await this.retryLater(submission, result)
        break // the next ones would meet the same network
      }
      await this.removeFromOutbox(submission)
      if (result.kind === "ok") {
        this.emit({ type: "sent", submission, accepted: result.accepted, counted: result.counted })
      } else this.emit({ type: "rejected", submission, problem: result })
    }
    return results
  }

  private async attempt(transport: Transport, submission: Submission): Promise<SubmitResult> {
    try {
      return await transport(submission)
    } catch {
      return { kind: "network" }
    }
  }

  private async retryLater(submission: Submission, problem: Problem): Promise<void> {
    const attempts = submission.attempts + 1
    await this.exclusive(async () => {
      const outbox = await this.readOutbox()
      const updated = outbox.map((s) => (keyOf(s) === keyOf(submission) ? { ...s, attempts } : s))
      await saveJson(this.store, this.keys.outbox, updated)
    })
    const retryInMs = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempts - 1))
    this.cancelRetry = this.schedule(() => void this.flush(), retryInMs)
    this.emit({ type: "waiting", submission: { ...submission, attempts }, problem, retryInMs })
  }

  private async removeFromOutbox(submission: Submission): Promise<void> {
    await this.exclusive(async () => {
      const outbox = await this.readOutbox()
      await saveJson(
        this.store,
        this.keys.outbox,
        outbox.filter((s) => keyOf(s) !== keyOf(submission)),
      )
    })
  }

  private async editDraft(taskId: string, batchId: string, edit: (a: Answer[]) => Answer[]): Promise<Answer[]> {
    return this.exclusive(async () => {
      const key = this.keys.draft(taskId, batchId)
      const draft = (await loadJson<Answer[]>(this.store, key)) ?? []
      if (this.ended) return draft // an answer given after the sign-in was refused is no answer
      const next = edit(draft)
      await saveJson(this.store, key, next)
      return next
    })
  }

  private async draftKeys(): Promise<string[]> {
    return (await this.store.getAllKeys()).filter((k) => k.startsWith(this.keys.draftPrefix))
  }

  private async readOutbox(): Promise<Submission[]> {
    return (await loadJson<Submission[]>(this.store, this.keys.outbox)) ?? []
  }

  // Storage reads and writes of one change run back to back, so quick taps never lose an answer.
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writes.then(work)
    this.writes = run.catch(() => undefined)
    return run
  }

  private emit(event: QueueEvent): void {
    for (const listener of this.listeners) listener(event)
    if (event.type !== "changed") for (const listener of this.listeners) listener({ type: "changed" })
  }
}
