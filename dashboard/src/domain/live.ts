/** The live (WebSocket) connection's state, as the header shows it. */
export type LiveStatus = "connecting" | "live" | "reconnecting"
