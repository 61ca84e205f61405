import type { ReactNode } from "react"
import { Pressable, StyleSheet, View } from "react-native"
import { spacing, themed, touchTarget } from "../theme"

type Props = { children: ReactNode; onPress?: () => void; testID?: string; accessibilityLabel?: string }

/** A white rounded surface; pressable when given `onPress`. */
export function Card({ children, onPress, testID, accessibilityLabel }: Props) {
  const styles = useStyles()
  if (!onPress) {
    return (
      <View style={styles.card} testID={testID}>
        {children}
      </View>
    )
  }
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel}
      onPress={onPress}
      testID={testID}
      style={({ pressed }) => [styles.card, styles.pressable, pressed && styles.pressed]}
    >
      {children}
    </Pressable>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    card: {
      backgroundColor: colors.surface,
      borderColor: colors.border,
      borderRadius: 16,
      borderWidth: 1,
      elevation: 1,
      gap: spacing.sm,
      padding: spacing.md,
      shadowColor: colors.black,
      shadowOffset: { width: 0, height: 2 },
      shadowOpacity: 0.05,
      shadowRadius: 8,
    },
    pressable: { minHeight: touchTarget + spacing.md },
    pressed: { backgroundColor: colors.primarySoft, borderColor: colors.primary },
  })
  return styles
})
