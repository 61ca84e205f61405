import { createContext, useContext, useEffect } from "react"
import { AppState, Platform } from "react-native"
import { plainClient } from "../api/client"
import { endpointsFor } from "../api/endpoints"
import { graphqlTransport } from "../api/submit"
import { deviceStore, loadJson, saveJson, type KeyValueStore } from "../storage/keyValue"
import { ownerTokens } from "../storage/secureToken"
import { AnswerQueue, type Transport } from "./answerQueue"

/** An annotator who signed out while answers of theirs still waited in the outbox. */
export type Departure = { owner: string; serverUrl: string; token: string }

type Tokens = typeof ownerTokens
export type TransportFor = (serverUrl: string, token: string) => Transport

const KEY = "answers.handover"
const RETRY_MS = 30_000

const defaultTransportFor: TransportFor = (serverUrl, token) =>
  graphqlTransport(plainClient(endpointsFor(serverUrl), token))

/**
 * The outboxes of annotators who have signed out: each is sent later with its own annotator's
 * token (kept in the secure store until then), whoever uses the phone meanwhile, and never under
 * anyone else's sign-in. The token is forgotten once the outbox is empty; a token the server no
 * longer knows sets the answers aside, unsent, as at an expired sign-in.
 */
export class Handover {
  private running: Promise<void> | null = null

  constructor(
    private readonly store: KeyValueStore = deviceStore,
    private readonly transportFor: TransportFor = defaultTransportFor,
    private readonly tokens: Tokens = ownerTokens,
  ) {}

  /** Keep `departure`'s outbox for later (nothing to keep: nothing is stored), and try it now. */
  async leave({ owner, serverUrl, token }: Departure): Promise<void> {
    if ((await new AnswerQueue(this.store, { owner }).pending()).length === 0) return
    await this.tokens.save(owner, token)
    const list = await this.list()
    if (!list.some((d) => d.owner === owner)) await saveJson(this.store, KEY, [...list, { owner, serverUrl }])
    void this.deliver()
  }

  /** How many departed annotators still have answers waiting. */
  async waiting(): Promise<number> {
    await this.running
    return (await this.list()).length
  }

  /** Try every departed outbox once; one round at a time. */
  deliver(): Promise<void> {
    this.running ??= this.deliverAll().finally(() => (this.running = null))
    return this.running
  }

  private async deliverAll(): Promise<void> {
    for (const departed of await this.list()) {
      const token = await this.tokens.load(departed.owner)
      if (!token || (await this.deliverOne(departed.owner, this.transportFor(departed.serverUrl, token)))) {
        await this.forget(departed.owner)
      }
    }
  }

  /** Send one outbox; true when nothing is left to send with its token. */
  private async deliverOne(owner: string, transport: Transport): Promise<boolean> {
    // The next round retries: no timer of the queue's own outlives this call.
    const queue = new AnswerQueue(this.store, { owner, transport, schedule: () => () => undefined })
    let refused = false
    const stop = queue.subscribe((event) => void (event.type === "unauthenticated" && (refused = true)))
    await queue.flush()
    stop()
    if (refused) await queue.setAside()
    return (await queue.pending()).length === 0
  }

  private async forget(owner: string): Promise<void> {
    await this.tokens.clear(owner)
    const list = await this.list()
    await saveJson(
      this.store,
      KEY,
      list.filter((d) => d.owner !== owner),
    )
  }

  private async list(): Promise<Omit<Departure, "token">[]> {
    return (await loadJson<Omit<Departure, "token">[]>(this.store, KEY)) ?? []
  }
}

export const HandoverContext = createContext<Handover | null>(null)

/** The app's Handover (tests provide their own). */
export function useHandover(): Handover {
  const handover = useContext(HandoverContext)
  if (!handover) throw new Error("useHandover outside HandoverContext")
  return handover
}

/** Send departed annotators' answers at start, when the device is back online, and every 30 s. */
export function useHandoverDelivery(handover: Handover): void {
  useEffect(() => {
    const deliver = () => void handover.deliver()
    deliver()
    const timer = setInterval(deliver, RETRY_MS)
    const web = Platform.OS === "web" && typeof window !== "undefined"
    if (web) window.addEventListener("online", deliver)
    const sub = AppState.addEventListener("change", (state) => state === "active" && deliver())
    return () => {
      clearInterval(timer)
      if (web) window.removeEventListener("online", deliver)
      sub.remove()
    }
  }, [handover])
}
