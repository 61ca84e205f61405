import { StyleSheet, Text, View } from "react-native"
import { colors, spacing } from "../theme"

/** A number in a circle-ish pill: how many tasks are open behind a row. */
export function CountPill({ count, testID }: { count: number; testID?: string }) {
  const active = count > 0
  return (
    <View style={[styles.pill, active ? styles.active : styles.idle]} testID={testID}>
      <Text style={[styles.text, { color: active ? colors.onPrimary : colors.textDim }]}>{count}</Text>
    </View>
  )
}

const styles = StyleSheet.create({
  active: { backgroundColor: colors.primary },
  idle: { backgroundColor: colors.neutralSoft },
  pill: {
    alignItems: "center",
    borderRadius: 18,
    height: 36,
    justifyContent: "center",
    minWidth: 36,
    paddingHorizontal: spacing.sm,
  },
  text: { fontSize: 16, fontWeight: "700" },
})
