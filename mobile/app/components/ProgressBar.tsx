import { StyleSheet, View } from "react-native"
import { themed, useColors } from "../theme"

type Props = { now: number; max: number; label: string; color?: string; height?: number; testID?: string }

/** A thin bar of `now` out of `max`, which screen readers read as a progress bar with its value. */
export function ProgressBar({ now, max, label, color, height = 6, testID }: Props) {
  const styles = useStyles()
  const colors = useColors()
  const fill = color ?? colors.primary
  const share = max > 0 ? Math.min(1, now / max) : 0
  return (
    <View
      style={[styles.track, { borderRadius: height / 2, height }]}
      accessibilityRole="progressbar"
      accessibilityLabel={label}
      accessibilityValue={{ min: 0, max, now }}
      testID={testID}
    >
      <View
        style={{ backgroundColor: fill, borderRadius: height / 2, height, width: `${Math.max(2, share * 100)}%` }}
      />
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    track: { backgroundColor: colors.neutralSoft, overflow: "hidden" },
  })
  return styles
})
