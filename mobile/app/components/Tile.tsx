import { StyleSheet, View } from "react-native"
import { themed } from "../theme"
import { Text } from "./Text"

type Props = { text: string; color: string; size?: number }

// Drawn, not emoji: phones and browsers without an emoji font would show empty boxes.
/** A rounded coloured square with a short word or letter: the app's icons. */
export function Tile({ text, color, size = 52 }: Props) {
  const styles = useStyles()
  return (
    <View style={[styles.tile, { backgroundColor: color, width: size, height: size, borderRadius: size * 0.28 }]}>
      <Text style={[styles.text, { fontSize: size * 0.4 }]}>{text}</Text>
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    text: { color: colors.onPrimary, fontWeight: "800", letterSpacing: 0.5 },
    tile: { alignItems: "center", justifyContent: "center" },
  })
  return styles
})
