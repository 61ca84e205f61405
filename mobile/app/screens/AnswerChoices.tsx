import { useEffect, useState } from "react"
import { Pressable, StyleSheet, View } from "react-native"
import { spacing, themed, touchTarget, useColors } from "../theme"
import type { Choice } from "../utils/answerChoices"
import { t } from "../i18n"
import { Text } from "../components"

type Props = { choices: Choice[]; selected?: string; enabled: boolean; onChoose: (label: string) => void }

// Dim the buttons only when the photo takes a while: a cached one shows before a dim would, and
// buttons flashing at every sample would distract.
const DIM_AFTER_MS = 300

/**
 * One big button per label; inactive until the sample can be answered. The answer already given
 * carries a mark that needs no colour to be seen (a tick and a thick two-tone ring) and is said
 * by screen readers ("chosen").
 */
export function AnswerChoices({ choices, selected, enabled, onChoose }: Props) {
  const styles = useStyles()
  const wide = choices.length <= 2
  const dim = useLasting(!enabled, DIM_AFTER_MS)
  const colors = useColors()
  return (
    <View style={styles.choices}>
      {choices.map((c) => {
        const chosen = selected === c.label
        const words = c.caption ? `${c.title}, ${c.caption}` : c.title
        return (
          <Pressable
            key={c.label}
            accessibilityRole="button"
            accessibilityLabel={chosen ? t("choice.chosen", { answer: words }) : words}
            aria-selected={chosen}
            disabled={!enabled}
            onPress={() => onChoose(c.label)}
            testID={`answer-${c.label}`}
            style={({ pressed }) => [
              styles.choice,
              wide ? styles.choiceWide : styles.choiceGrid,
              { backgroundColor: { yes: colors.success, no: colors.danger, plain: colors.primary }[c.tone] },
              chosen && styles.chosen,
              pressed && styles.pressed,
              dim && styles.dim,
            ]}
          >
            <Text style={styles.choiceTitle}>{c.title}</Text>
            {c.caption ? <Text style={styles.choiceCaption}>{c.caption}</Text> : null}
            {chosen ? (
              <View style={styles.mark} testID="chosen-mark">
                <Text style={styles.markText}>✓</Text>
              </View>
            ) : null}
          </Pressable>
        )
      })}
    </View>
  )
}

/** True once `flag` has held for `ms`. */
function useLasting(flag: boolean, ms: number): boolean {
  const [lasting, setLasting] = useState(false)
  useEffect(() => {
    if (!flag) return setLasting(false)
    const timer = setTimeout(() => setLasting(true), ms)
    return () => clearTimeout(timer)
  }, [flag, ms])
  return lasting
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    choice: {
      alignItems: "center",
      borderRadius: 18,
      justifyContent: "center",
      minHeight: touchTarget + 28,
      padding: spacing.sm,
    },
    choiceCaption: { color: colors.onPrimary, fontSize: 14, fontWeight: "600", opacity: 0.9, textAlign: "center" },
    choiceGrid: { flexBasis: "48%", flexGrow: 1 },
    choiceTitle: { color: colors.onPrimary, fontSize: 26, fontWeight: "800", textAlign: "center" },
    choiceWide: { flex: 1 },
    choices: { flexDirection: "row", flexWrap: "wrap", gap: spacing.sm },
    // White inside, near-black outside: visible on every button colour and on the page.
    chosen: {
      borderColor: colors.white,
      borderWidth: 4,
      outlineColor: colors.text,
      outlineStyle: "solid",
      outlineWidth: 3,
    },
    dim: { opacity: 0.4 },
    mark: {
      alignItems: "center",
      backgroundColor: colors.white,
      borderRadius: 14,
      height: 28,
      justifyContent: "center",
      position: "absolute",
      right: spacing.sm,
      top: spacing.sm,
      width: 28,
    },
    markText: { color: colors.black, fontSize: 18, fontWeight: "900" },
    pressed: { opacity: 0.85, transform: [{ scale: 0.98 }] },
  })
  return styles
})
