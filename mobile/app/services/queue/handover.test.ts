import type { SubmitResult } from "../api/submit"
import { memoryStore } from "../storage/keyValue"
import { AnswerQueue, type Submission } from "./answerQueue"
import { Handover } from "./handover"

/** Tokens in memory, as the phone's secure store keeps them. */
function memoryTokens() {
  const data = new Map<string, string>()
  return {
    data,
    save: async (owner: string, token: string) => void data.set(owner, token),
    load: async (owner: string) => data.get(owner) ?? null,
    clear: async (owner: string) => void data.delete(owner),
  }
}

/** Transports by token, recording who sent what; the network is up while `online.up` is true. */
function server(online = { up: true }, reply?: SubmitResult) {
  const sent: { token: string; batchId: string }[] = []
  const transportFor =
    (_url: string, token: string) =>
    async (s: Submission): Promise<SubmitResult> => {
      if (!online.up) return { kind: "network" }
      sent.push({ token, batchId: s.batchId })
      return reply ?? { kind: "ok", accepted: s.answers.length, counted: s.answers.length }
    }
  return { sent, transportFor }
}

async function queuedOffline(phone: ReturnType<typeof memoryStore>, owner: string) {
  const queue = new AnswerQueue(phone, { owner, schedule: () => () => {} })
  await queue.answer("t1", "b2", { sampleId: "s1", label: "yes" })
  await queue.submit("t1", "b2")
  return queue
}

describe("Handover: answers of an annotator who signed out before they could be sent", () => {
  it("are sent later with that annotator's own token, then the token is forgotten (bug 2)", async () => {
    const phone = memoryStore()
    const tokens = memoryTokens()
    const online = { up: false }
    const { sent, transportFor } = server(online)
    const handover = new Handover(phone, transportFor, tokens)
    const carla = await queuedOffline(phone, "carla")

    // Carla signs out offline; Dan signs in on the same phone.
    await handover.leave({ owner: "carla", serverUrl: "http://crowd", token: "tok-carla" })
    expect(await handover.waiting()).toBe(1)
    const dan = new AnswerQueue(phone, { owner: "dan", transport: transportFor("http://crowd", "tok-dan") })
    await dan.flush()

    // Back online: Carla's answers go up as Carla's, never as Dan's.
    online.up = true
    await handover.deliver()
    expect(sent).toEqual([{ token: "tok-carla", batchId: "b2" }])
    expect(await carla.pending()).toEqual([])
    expect(await handover.waiting()).toBe(0)
    expect(tokens.data.size).toBe(0)
  })

  it("keeps them, and the token, while the server cannot be reached", async () => {
    const phone = memoryStore()
    const tokens = memoryTokens()
    const handover = new Handover(phone, server({ up: false }).transportFor, tokens)
    await queuedOffline(phone, "carla")
    await handover.leave({ owner: "carla", serverUrl: "http://crowd", token: "tok-carla" })
    await handover.deliver()
    expect(await handover.waiting()).toBe(1)
    expect(tokens.data.get("carla")).toBe("tok-carla")
  })

  it("sets them aside, never sent, when the server no longer knows the token", async () => {
    const phone = memoryStore()
    const refused: SubmitResult = { kind: "server", code: "UNAUTHENTICATED", message: "unknown token" }
    const handover = new Handover(phone, server({ up: true }, refused).transportFor, memoryTokens())
    const carla = await queuedOffline(phone, "carla")
    await handover.leave({ owner: "carla", serverUrl: "http://crowd", token: "tok-carla" })
    await handover.deliver()
    expect(await handover.waiting()).toBe(0)
    expect(await carla.pending()).toEqual([])
    expect((await carla.unsent()).map((s) => s.batchId)).toEqual(["b2"])
  })

  it("has nothing to keep when the outbox is empty", async () => {
    const tokens = memoryTokens()
    const handover = new Handover(memoryStore(), server().transportFor, tokens)
    await handover.leave({ owner: "ed", serverUrl: "http://crowd", token: "tok-ed" })
    expect(await handover.waiting()).toBe(0)
    expect(tokens.data.size).toBe(0)
  })
})
