import type { ReactNode } from "react"
import { ActivityIndicator, StyleSheet, View } from "react-native"
import { spacing, themed, typography, useColors } from "../theme"
import { Button } from "./Button"
import { t } from "../i18n"
import { Text } from "./Text"

type StateViewProps<T> = {
  data: T | undefined
  /** A plain message, shown only while there is no data at all. */
  error: string | null
  onRetry: () => void
  children: (data: T) => ReactNode
}

/**
 * What a screen shows for its query: the data as soon as there is any, else the error with a retry,
 * else a spinner. Data already shown wins over a later error: offline, the screen keeps what it knew.
 */
export function StateView<T>({ data, error, onRetry, children }: StateViewProps<T>) {
  if (data !== undefined) return <>{children(data)}</>
  if (error) return <Failed message={error} onRetry={onRetry} />
  return <Loading />
}

/** A centred spinner while the first data arrives. */
export function Loading({ label = t("common.loading") }: { label?: string }) {
  const styles = useStyles()
  const colors = useColors()
  return (
    <View style={styles.center} testID="loading">
      <ActivityIndicator size="large" color={colors.link} />
      <Text style={[typography.body, styles.dim]}>{label}</Text>
    </View>
  )
}

type FailedProps = { message: string; onRetry?: () => void }

/** A plain message when data could not be loaded, with a retry button. */
export function Failed({ message, onRetry }: FailedProps) {
  const styles = useStyles()
  return (
    <View style={styles.center} testID="failed">
      <Text style={[typography.heading, styles.text]}>{t("common.failed")}</Text>
      <Text style={[typography.body, styles.dim]}>{message}</Text>
      {onRetry ? <Button label={t("common.tryAgain")} onPress={onRetry} variant="secondary" /> : null}
    </View>
  )
}

/** A friendly note when a list has nothing in it. */
export function Empty({ title, message }: { title: string; message: string }) {
  const styles = useStyles()
  return (
    <View style={styles.center} testID="empty">
      <Text style={[typography.heading, styles.text]}>{title}</Text>
      <Text style={[typography.body, styles.dim]}>{message}</Text>
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    center: { alignItems: "center", gap: spacing.md, justifyContent: "center", padding: spacing.xl },
    dim: { color: colors.textDim, textAlign: "center" },
    text: { color: colors.text, textAlign: "center" },
  })
  return styles
})
