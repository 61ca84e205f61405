import type { ReactNode } from "react"
import { StyleSheet, View } from "react-native"
import { spacing, themed, toneColors, type Tone, typography, useColors } from "../theme"
import { Text } from "./Text"

type Props = { tone: Tone; title: string; children?: ReactNode; testID?: string }

/** A coloured panel that tells the user plainly what is going on, with room for an action. */
export function Notice({ tone, title, children, testID }: Props) {
  const styles = useStyles()
  const c = toneColors(useColors(), tone)
  return (
    <View
      style={[styles.box, { backgroundColor: c.bg, borderLeftColor: c.fg }]}
      testID={testID}
      accessibilityRole="alert"
    >
      <Text style={[typography.heading, { color: c.fg }]}>{title}</Text>
      {children}
    </View>
  )
}

const useStyles = themed(() => {
  const styles = StyleSheet.create({
    box: { borderLeftWidth: 6, borderRadius: 14, gap: spacing.sm, padding: spacing.md },
  })
  return styles
})
