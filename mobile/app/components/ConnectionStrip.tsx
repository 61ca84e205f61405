import { StyleSheet, View } from "react-native"
import { useConnection } from "../services/api/ApiProvider"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { spacing, themed, toneColors, typography, useColors } from "../theme"
import { t } from "../i18n"
import { Text } from "./Text"

/** A thin strip that says when the app is offline or still holds answers to send. */
export function ConnectionStrip() {
  const styles = useStyles()
  const colors = useColors()
  const { connected, online } = useConnection()
  const { pending } = useAnswerQueue()
  const waiting = pending.reduce((n, s) => n + s.answers.length, 0)
  if (connected && online && waiting === 0) return null
  const tone = toneColors(colors, connected && online ? "info" : "warning")
  const parts = [
    !online ? t("strip.offline") : connected ? null : t("strip.reconnecting"),
    waiting > 0 ? t("strip.waiting", { count: waiting }) : null,
  ].filter(Boolean)
  return (
    <View style={[styles.strip, { backgroundColor: tone.bg }]} testID="connection-strip">
      <Text style={[typography.label, { color: tone.fg }]}>{parts.join(" · ")}</Text>
    </View>
  )
}

const useStyles = themed(() => {
  const styles = StyleSheet.create({
    strip: { borderRadius: 12, paddingHorizontal: spacing.md, paddingVertical: spacing.sm },
  })
  return styles
})
