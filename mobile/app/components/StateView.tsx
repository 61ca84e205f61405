import { ActivityIndicator, StyleSheet, Text, View } from "react-native"
import { colors, spacing, typography } from "../theme"
import { Button } from "./Button"

/** A centred spinner while the first data arrives. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <View style={styles.center} testID="loading">
      <ActivityIndicator size="large" color={colors.primary} />
      <Text style={[typography.body, styles.dim]}>{label}</Text>
    </View>
  )
}

type FailedProps = { message: string; onRetry?: () => void }

/** A plain message when data could not be loaded, with a retry button. */
export function Failed({ message, onRetry }: FailedProps) {
  return (
    <View style={styles.center} testID="failed">
      <Text style={[typography.heading, styles.text]}>Something went wrong</Text>
      <Text style={[typography.body, styles.dim]}>{message}</Text>
      {onRetry ? <Button label="Try again" onPress={onRetry} variant="secondary" /> : null}
    </View>
  )
}

/** A friendly note when a list has nothing in it. */
export function Empty({ title, message }: { title: string; message: string }) {
  return (
    <View style={styles.center} testID="empty">
      <Text style={[typography.heading, styles.text]}>{title}</Text>
      <Text style={[typography.body, styles.dim]}>{message}</Text>
    </View>
  )
}

const styles = StyleSheet.create({
  center: { alignItems: "center", justifyContent: "center", padding: spacing.xl, gap: spacing.md },
  text: { color: colors.text, textAlign: "center" },
  dim: { color: colors.textDim, textAlign: "center" },
})
