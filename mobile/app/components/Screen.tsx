import type { ReactNode } from "react"
import { Pressable, ScrollView, StyleSheet, View } from "react-native"
import { useSafeAreaInsets } from "react-native-safe-area-context"
import { maxContentWidth, spacing, themed, touchTarget, typography } from "../theme"
import { t } from "../i18n"
import { Text } from "./Text"

type Props = {
  title: string
  subtitle?: string
  onBack?: () => void
  right?: ReactNode
  children: ReactNode
  /** false for screens that lay out their own full-height content (labelling). */
  scroll?: boolean
  /** Wider than a phone's column (the labelling screen on a tablet); maxContentWidth if absent. */
  maxWidth?: number
  testID?: string
}

/** Every screen's frame: a header with back button and title, then content at phone width. */
export function Screen({ title, subtitle, onBack, right, children, scroll = true, maxWidth, testID }: Props) {
  const styles = useStyles()
  const insets = useSafeAreaInsets()
  const column = [styles.column, maxWidth ? { maxWidth } : null]
  const body = scroll ? (
    <ScrollView contentContainerStyle={styles.scrollContent} keyboardShouldPersistTaps="handled">
      <View style={[column, styles.stack]}>{children}</View>
    </ScrollView>
  ) : (
    <View style={[column, styles.fill]}>{children}</View>
  )
  return (
    <View style={[styles.root, { paddingTop: insets.top, paddingBottom: insets.bottom }]} testID={testID}>
      <View style={styles.header}>
        <View style={[column, styles.headerRow]}>
          {onBack ? (
            <Pressable
              accessibilityRole="button"
              accessibilityLabel={t("common.back")}
              onPress={onBack}
              style={styles.back}
              testID="back"
              hitSlop={8}
            >
              <Text style={styles.backText}>‹</Text>
            </Pressable>
          ) : null}
          <View style={styles.titles}>
            <Text style={typography.heading} numberOfLines={1} accessibilityRole="header">
              {title}
            </Text>
            {subtitle ? (
              <Text style={[typography.caption, styles.subtitle]} numberOfLines={1}>
                {subtitle}
              </Text>
            ) : null}
          </View>
          {right}
        </View>
      </View>
      {body}
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    back: {
      alignItems: "center",
      backgroundColor: colors.background,
      borderRadius: 12,
      height: touchTarget - 8,
      justifyContent: "center",
      width: touchTarget - 8,
    },
    backText: { color: colors.link, fontSize: 34, fontWeight: "600", lineHeight: 38 },
    column: { alignSelf: "center", maxWidth: maxContentWidth, paddingHorizontal: spacing.md, width: "100%" },
    fill: { flex: 1 },
    header: {
      backgroundColor: colors.surface,
      borderBottomColor: colors.border,
      borderBottomWidth: 1,
      paddingVertical: spacing.sm,
    },
    headerRow: { alignItems: "center", flexDirection: "row", gap: spacing.sm, minHeight: touchTarget },
    root: { backgroundColor: colors.background, flex: 1 },
    scrollContent: { paddingVertical: spacing.md },
    stack: { gap: spacing.md },
    subtitle: { color: colors.textDim },
    titles: { flex: 1 },
  })
  return styles
})
