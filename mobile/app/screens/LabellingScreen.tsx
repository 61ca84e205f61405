import { useEffect, useState } from "react"
import { Pressable, StyleSheet, Text, View } from "react-native"
import { Button, ConnectionStrip, Loading, Notice, SampleView, Screen, StateView, Tile } from "../components"
import { useNavigation } from "../navigation/navigator"
import type { Answer } from "../services/queue/answerQueue"
import { colors, spacing, touchTarget, typography } from "../theme"
import { binaryQuestion, type Choice } from "../utils/answerChoices"
import { batchName, humanLabel } from "../utils/names"
import { useKeyboardShortcuts } from "../utils/useKeyboardShortcuts"
import { useBatchLabelling } from "./useBatchLabelling"

/** One sample at a time, one big button per label; answers saved on every tap, sent at the end. */
export function LabellingScreen({ taskId }: { taskId: string }) {
  const { back, replace } = useNavigation()
  const s = useBatchLabelling(taskId)
  const { task, batch, answers, index, sample } = s
  useKeyboardShortcuts(shortcuts(s))

  if (!task || !batch || answers === null) {
    return (
      <Screen title="Labelling" onBack={back} testID="screen-label">
        <StateView data={s.data} error={s.error} onRetry={s.refetch}>
          {() => (task && !batch ? <Closed /> : <Loading />)}
        </StateView>
      </Screen>
    )
  }
  const total = batch.samples.length
  const submit = async () => {
    await s.submit()
    replace({ name: "task", taskId })
  }
  return (
    <Screen
      title={task.title}
      subtitle={binaryQuestion(s.choices) ?? batchName(batch.number)}
      onBack={back}
      scroll={false}
      right={<Counter done={Math.min(index + 1, total)} total={total} />}
      testID="screen-label"
    >
      <Progress share={answers.length / Math.max(1, total)} />
      <ConnectionStrip />
      {sample ? (
        <View style={styles.body}>
          <SampleView
            sample={sample}
            onShown={s.onShown}
            retrySignal={s.retrySignal}
            requestWidth={s.requestWidth}
            description={`Photo ${index + 1} of ${total}: ${binaryQuestion(s.choices) ?? task.title}`}
          />
          <Choices choices={s.choices} selected={s.given} enabled={s.canAnswer} onChoose={(l) => void s.choose(l)} />
          <Button
            label="‹ Previous sample"
            variant="ghost"
            onPress={() => s.goTo(index - 1)}
            disabled={index === 0}
            testID="previous"
          />
        </View>
      ) : (
        <Review
          total={total}
          answers={answers}
          busy={s.submitting}
          onSubmit={submit}
          onBack={() => s.goTo(total - 1)}
        />
      )}
    </Screen>
  )
}

/** y / n for Yes / No, 1-9 for the nth label, Backspace or ← for the previous sample. */
function shortcuts(s: ReturnType<typeof useBatchLabelling>): Record<string, () => void> {
  const keys: Record<string, () => void> = {}
  if (!s.sample) return keys
  s.choices.forEach((c, i) => (keys[String(i + 1)] = () => void s.choose(c.label)))
  for (const c of s.choices) if (c.tone !== "plain") keys[c.title[0].toLowerCase()] = () => void s.choose(c.label)
  keys.backspace = keys.arrowleft = () => s.goTo(s.index - 1)
  return keys
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

function Closed() {
  return (
    <Notice tone="neutral" title="No batch to label" testID="label-closed">
      <Text style={typography.body}>This batch is closed or already answered. Go back to see what is next.</Text>
    </Notice>
  )
}

function Counter({ done, total }: { done: number; total: number }) {
  return (
    <View style={styles.counter} accessibilityLabel={`Sample ${done} of ${total}`}>
      <Text style={styles.counterText} testID="counter">{`${done} / ${total}`}</Text>
    </View>
  )
}

function Progress({ share }: { share: number }) {
  return (
    <View style={styles.track}>
      <View style={[styles.fill, { width: `${share * 100}%` }]} />
    </View>
  )
}

type ChoicesProps = { choices: Choice[]; selected?: string; enabled: boolean; onChoose: (label: string) => void }

// Dim the buttons only when the photo takes a while: a cached one shows before a dim would, and
// buttons flashing at every sample would distract.
const DIM_AFTER_MS = 300

/** One big button per label; inactive until the sample can be answered. */
function Choices({ choices, selected, enabled, onChoose }: ChoicesProps) {
  const wide = choices.length <= 2
  const dim = useLasting(!enabled, DIM_AFTER_MS)
  return (
    <View style={styles.choices}>
      {choices.map((c) => (
        <Pressable
          key={c.label}
          accessibilityRole="button"
          accessibilityLabel={c.caption ? `${c.title}, ${c.caption}` : c.title}
          aria-selected={selected === c.label}
          disabled={!enabled}
          onPress={() => onChoose(c.label)}
          testID={`answer-${c.label}`}
          style={({ pressed }) => [
            styles.choice,
            wide ? styles.choiceWide : styles.choiceGrid,
            { backgroundColor: TONE[c.tone] },
            selected === c.label && styles.selected,
            pressed && styles.pressed,
            dim && styles.dim,
          ]}
        >
          <Text style={styles.choiceTitle}>{c.title}</Text>
          {c.caption ? <Text style={styles.choiceCaption}>{c.caption}</Text> : null}
        </Pressable>
      ))}
    </View>
  )
}

type ReviewProps = { total: number; answers: Answer[]; busy: boolean; onSubmit: () => void; onBack: () => void }

function Review({ total, answers, busy, onSubmit, onBack }: ReviewProps) {
  const counts = new Map<string, number>()
  for (const a of answers) counts.set(a.label, (counts.get(a.label) ?? 0) + 1)
  return (
    <View style={[styles.body, styles.review]} testID="review">
      <Tile text="✓" color={colors.success} size={72} />
      <Text style={[typography.title, styles.centered]}>All {total} samples answered</Text>
      <Text style={[typography.body, styles.centeredDim]}>
        {[...counts].map(([label, n]) => `${n} × ${humanLabel(label)}`).join(" · ")}
      </Text>
      <Button
        label="Submit answers"
        big
        variant="success"
        busy={busy}
        onPress={onSubmit}
        testID="submit"
        style={styles.full}
      />
      <Button label="‹ Check the last one again" variant="ghost" onPress={onBack} disabled={busy} />
    </View>
  )
}

const TONE = { yes: colors.success, no: colors.danger, plain: colors.primary }

const styles = StyleSheet.create({
  body: { flex: 1, gap: spacing.md, paddingVertical: spacing.md },
  centered: { color: colors.text, textAlign: "center" },
  centeredDim: { color: colors.textDim, textAlign: "center" },
  choice: {
    alignItems: "center",
    borderRadius: 18,
    justifyContent: "center",
    minHeight: touchTarget + 28,
    padding: spacing.sm,
  },
  choiceCaption: { color: colors.onPrimary, fontSize: 14, fontWeight: "600", opacity: 0.9 },
  choiceGrid: { flexBasis: "48%", flexGrow: 1 },
  choiceTitle: { color: colors.onPrimary, fontSize: 26, fontWeight: "800" },
  choiceWide: { flex: 1 },
  choices: { flexDirection: "row", flexWrap: "wrap", gap: spacing.sm },
  counter: {
    backgroundColor: colors.text,
    borderRadius: 12,
    justifyContent: "center",
    minHeight: 40,
    paddingHorizontal: spacing.md,
  },
  counterText: { color: colors.onPrimary, fontSize: 20, fontVariant: ["tabular-nums"], fontWeight: "800" },
  dim: { opacity: 0.4 },
  fill: { backgroundColor: colors.primary, height: 6 },
  full: { alignSelf: "stretch" },
  pressed: { opacity: 0.85, transform: [{ scale: 0.98 }] },
  review: { alignItems: "center", justifyContent: "center" },
  selected: { borderColor: colors.text, borderWidth: 4 },
  track: { backgroundColor: colors.neutralSoft, borderRadius: 3, height: 6, marginTop: spacing.sm, overflow: "hidden" },
})
