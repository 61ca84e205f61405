import { StyleSheet, Text, View } from "react-native"
import { useConnection } from "../services/api/ApiProvider"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { spacing, toneColors, typography } from "../theme"

/** A thin strip that says when the app is offline or still holds answers to send. */
export function ConnectionStrip() {
  const { connected, online } = useConnection()
  const { pending } = useAnswerQueue()
  const waiting = pending.reduce((n, s) => n + s.answers.length, 0)
  if (connected && online && waiting === 0) return null
  const tone = connected && online ? toneColors.info : toneColors.warning
  const parts = [
    !online
      ? "Offline, no connection to the server: showing what was last known"
      : connected
        ? null
        : "Live updates paused: reconnecting…",
    waiting > 0 ? `${waiting} answer${waiting === 1 ? "" : "s"} saved on this phone, waiting to be sent` : null,
  ].filter(Boolean)
  return (
    <View style={[styles.strip, { backgroundColor: tone.bg }]} testID="connection-strip">
      <Text style={[typography.label, { color: tone.fg }]}>{parts.join(" · ")}</Text>
    </View>
  )
}

const styles = StyleSheet.create({
  strip: { borderRadius: 12, paddingHorizontal: spacing.md, paddingVertical: spacing.sm },
})
