import type { ReactNode } from "react"
import { StyleSheet, View } from "react-native"
import { spacing, themed, typography } from "../theme"
import { Card } from "./Card"
import { CountPill } from "./CountPill"
import { t } from "../i18n"
import { Text } from "./Text"

type Props = {
  title: string
  blurb: string
  count: number
  onPress: () => void
  testID: string
  leading?: ReactNode
}

/** One choice in a list (a category, a subcategory): title, blurb and its open task count. */
export function ChoiceCard({ title, blurb, count, onPress, testID, leading }: Props) {
  const styles = useStyles()
  return (
    <Card onPress={onPress} testID={testID} accessibilityLabel={t("categories.choice", { title, count })}>
      <View style={styles.row}>
        {leading}
        <View style={styles.grow}>
          <Text style={typography.heading}>{title}</Text>
          <Text style={[typography.body, styles.dim]}>{blurb}</Text>
        </View>
        <CountPill count={count} testID={`${testID}-count`} />
      </View>
    </Card>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    dim: { color: colors.textDim },
    grow: { flex: 1, gap: spacing.xxs },
    row: { alignItems: "center", flexDirection: "row", gap: spacing.md },
  })
  return styles
})
