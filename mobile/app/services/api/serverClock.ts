// A phone's clock may be minutes off, and the server refuses an openedAt more than a minute ahead of
// its own; so the app dates what it tells the server by the server's clock, as its responses'
// Date header tells it (whole seconds, which is close enough for a one-minute tolerance).

// Closer than this, the phone's own clock is kept (the header's resolution is one second).
const TRUST_WITHIN_MS = 5_000

/** The server's time as best known here: the phone's clock, corrected by the last Date header seen. */
export class ServerClock {
  private offsetMs = 0

  constructor(private readonly phoneNow: () => number = Date.now) {}

  /** A response's Date header (`date`), for a request sent at `sentAt` and answered at `receivedAt`. */
  note(date: string | null, sentAt: number, receivedAt: number): void {
    const said = date ? Date.parse(date) : Number.NaN
    if (Number.isNaN(said)) return
    // The header is at most a second old when it was written, about halfway through the round trip.
    const offset = said + 500 - (sentAt + receivedAt) / 2
    this.offsetMs = Math.abs(offset) < TRUST_WITHIN_MS ? 0 : offset
  }

  /** Milliseconds since the epoch by the server's clock. */
  readonly now = (): number => this.phoneNow() + this.offsetMs
}

/** The app's one view of the server's clock, fed by every HTTP response (client.ts). */
export const serverClock = new ServerClock()
