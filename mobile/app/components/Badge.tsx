import { StyleSheet, View } from "react-native"
import { spacing, themed, toneColors, type Tone, typography, useColors } from "../theme"
import { Text } from "./Text"

/** A small rounded pill with a status word. */
export function Badge({ label, tone, testID }: { label: string; tone: Tone; testID?: string }) {
  const styles = useStyles()
  const c = toneColors(useColors(), tone)
  return (
    <View style={[styles.pill, { backgroundColor: c.bg }]} testID={testID}>
      <View style={[styles.dot, { backgroundColor: c.fg }]} />
      <Text style={[typography.caption, styles.text, { color: c.fg }]}>{label}</Text>
    </View>
  )
}

const useStyles = themed(() => {
  const styles = StyleSheet.create({
    dot: { borderRadius: 4, height: 8, width: 8 },
    pill: {
      alignItems: "center",
      alignSelf: "flex-start",
      borderRadius: 999,
      flexDirection: "row",
      gap: spacing.xs + 2,
      paddingHorizontal: spacing.sm + 2,
      paddingVertical: spacing.xs,
    },
    text: { fontWeight: "700", letterSpacing: 0.3 },
  })
  return styles
})
