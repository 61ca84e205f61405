/**
 * The app's idea of its link to the server, from the latest evidence: the live link (graphql-ws)
 * going up or down, an HTTP request answered or not, the device's network coming and going.
 * `epoch` grows each time the server is back (reachable again, or the live link up again after a
 * drop), so screens refetch and the answer queue sends at once.
 */
export type Connection = {
  epoch: number
  /** The live link is up: events arrive by themselves. */
  connected: boolean
  /** The server answers requests (as far as the latest request or the device's network says). */
  online: boolean
}

export type ConnectionEvent = "liveUp" | "liveDown" | "reached" | "unreachable" | "deviceOnline"

export const initialConnection: Connection = { epoch: 0, connected: true, online: true }

/** The connection after `event`; the same object when nothing changed (no re-render). */
export function nextConnection(c: Connection, event: ConnectionEvent): Connection {
  switch (event) {
    case "liveUp":
      return c.connected && c.online ? c : { epoch: c.epoch + 1, connected: true, online: true }
    case "liveDown":
      return c.connected ? { ...c, connected: false } : c
    case "reached":
    case "deviceOnline":
      return c.online ? c : { ...c, epoch: c.epoch + 1, online: true }
    case "unreachable":
      return c.online ? { ...c, online: false } : c
  }
}

/**
 * The live link's wait between reconnect attempts (`baseMs` doubling to `maxMs`), cut short by
 * `wake`: when a request gets through or the device is back online there is no reason to sit out
 * the back-off, and the strip would say "reconnecting" while the screen already shows fresh news.
 */
export function wakeableWait(baseMs: number, maxMs: number) {
  const sleepers = new Set<() => void>()
  const wait = (retries: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.min(maxMs, baseMs * 2 ** retries))
      sleepers.add(done)
    })
  const wake = () => [...sleepers].forEach((done) => done())
  return { wait, wake }
}
