import type { ReactNode } from "react"
import { Pressable, ScrollView, StyleSheet, Text, View } from "react-native"
import { useSafeAreaInsets } from "react-native-safe-area-context"
import { colors, maxContentWidth, spacing, touchTarget, typography } from "../theme"

type Props = {
  title: string
  subtitle?: string
  onBack?: () => void
  right?: ReactNode
  children: ReactNode
  /** false for screens that lay out their own full-height content (labelling). */
  scroll?: boolean
  testID?: string
}

/** Every screen's frame: a header with back button and title, then content at phone width. */
export function Screen({ title, subtitle, onBack, right, children, scroll = true, testID }: Props) {
  const insets = useSafeAreaInsets()
  const body = scroll ? (
    <ScrollView contentContainerStyle={styles.scrollContent} keyboardShouldPersistTaps="handled">
      <View style={[styles.column, styles.stack]}>{children}</View>
    </ScrollView>
  ) : (
    <View style={[styles.column, styles.fill]}>{children}</View>
  )
  return (
    <View style={[styles.root, { paddingTop: insets.top, paddingBottom: insets.bottom }]} testID={testID}>
      <View style={styles.header}>
        <View style={[styles.column, styles.headerRow]}>
          {onBack ? (
            <Pressable
              accessibilityRole="button"
              accessibilityLabel="Back"
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

const styles = StyleSheet.create({
  root: { flex: 1, backgroundColor: colors.background },
  header: {
    backgroundColor: colors.surface,
    borderBottomWidth: 1,
    borderBottomColor: colors.border,
    paddingVertical: spacing.sm,
  },
  headerRow: { flexDirection: "row", alignItems: "center", gap: spacing.sm, minHeight: touchTarget },
  column: { width: "100%", maxWidth: maxContentWidth, alignSelf: "center", paddingHorizontal: spacing.md },
  fill: { flex: 1 },
  stack: { gap: spacing.md },
  scrollContent: { paddingVertical: spacing.md },
  back: {
    width: touchTarget - 8,
    height: touchTarget - 8,
    borderRadius: 12,
    alignItems: "center",
    justifyContent: "center",
    backgroundColor: colors.background,
  },
  backText: { fontSize: 34, lineHeight: 38, color: colors.primary, fontWeight: "600" },
  titles: { flex: 1 },
  subtitle: { color: colors.textDim },
})
