import { StyleSheet, View } from "react-native"
import { spacing, themed, useColors } from "../theme"
import { Text } from "./Text"

/** A number in a circle-ish pill: how many tasks are open behind a row. */
export function CountPill({ count, testID }: { count: number; testID?: string }) {
  const styles = useStyles()
  const colors = useColors()
  const active = count > 0
  return (
    <View style={[styles.pill, active ? styles.active : styles.idle]} testID={testID}>
      <Text style={[styles.text, { color: active ? colors.onPrimary : colors.textDim }]}>{count}</Text>
    </View>
  )
}

const useStyles = themed((colors) => {
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
  return styles
})
