import { ActivityIndicator, Pressable, StyleSheet, type StyleProp, type ViewStyle } from "react-native"
import { spacing, themed, touchTarget, typography } from "../theme"
import { Text } from "./Text"

export type ButtonVariant = "primary" | "secondary" | "success" | "danger" | "ghost"

type Props = {
  label: string
  onPress: () => void
  variant?: ButtonVariant
  disabled?: boolean
  busy?: boolean
  big?: boolean
  testID?: string
  style?: StyleProp<ViewStyle>
}

const palettes = themed((colors): Record<ButtonVariant, { bg: string; fg: string; border: string }> => ({
  primary: { bg: colors.primary, fg: colors.onPrimary, border: colors.primary },
  secondary: { bg: colors.surface, fg: colors.link, border: colors.border },
  success: { bg: colors.success, fg: colors.onPrimary, border: colors.success },
  danger: { bg: colors.danger, fg: colors.onPrimary, border: colors.danger },
  ghost: { bg: "transparent", fg: colors.link, border: "transparent" },
}))

/** A large, clearly labelled button; `busy` shows a spinner and blocks a double tap. */
export function Button({ label, onPress, variant = "primary", disabled, busy, big, testID, style }: Props) {
  const styles = useStyles()
  const p = palettes()[variant]
  const inactive = disabled || busy
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={label}
      accessibilityState={{ disabled: !!inactive, busy: !!busy }}
      disabled={inactive}
      onPress={onPress}
      testID={testID}
      style={({ pressed }) => [
        styles.base,
        big && styles.big,
        { backgroundColor: p.bg, borderColor: p.border },
        pressed && styles.pressed,
        inactive && styles.inactive,
        style,
      ]}
    >
      {busy ? (
        <ActivityIndicator color={p.fg} />
      ) : (
        <Text style={[big ? typography.big : typography.label, styles.text, { color: p.fg }]}>{label}</Text>
      )}
    </Pressable>
  )
}

const useStyles = themed(() => {
  const styles = StyleSheet.create({
    base: {
      alignItems: "center",
      borderRadius: 14,
      borderWidth: 1,
      justifyContent: "center",
      minHeight: touchTarget,
      paddingHorizontal: spacing.lg,
    },
    big: { borderRadius: 18, minHeight: 76 },
    inactive: { opacity: 0.5 },
    pressed: { opacity: 0.85, transform: [{ scale: 0.98 }] },
    text: { textAlign: "center" },
  })
  return styles
})
