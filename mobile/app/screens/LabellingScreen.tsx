import { useState } from "react"
import { StyleSheet, View } from "react-native"
import {
  Button,
  ConnectionStrip,
  Loading,
  Notice,
  PhotoViewer,
  ProgressBar,
  SampleView,
  fullImageUrl,
  Screen,
  StateView,
  Text,
  Tile,
} from "../components"
import { useNavigation } from "../navigation/navigator"
import type { Answer } from "../services/queue/answerQueue"
import { spacing, themed, typography, useColors } from "../theme"
import { binaryQuestion } from "../utils/answerChoices"
import { useLabellingLayout, WIDE_CONTENT_WIDTH } from "../utils/mediaPreview"
import { batchName, humanLabel } from "../utils/names"
import { useKeyboardShortcuts } from "../utils/useKeyboardShortcuts"
import { AnswerChoices } from "./AnswerChoices"
import { useBatchLabelling } from "./useBatchLabelling"
import { t } from "../i18n"

/** One sample at a time, one big button per label; answers saved on every tap, sent at the end. */
export function LabellingScreen({ taskId }: { taskId: string }) {
  const styles = useStyles()
  const { back, replace } = useNavigation()
  const s = useBatchLabelling(taskId)
  const { task, batch, answers, index, sample } = s
  const layout = useLabellingLayout()
  // The sample whose photo is open full screen; the answers wait until it closes (never a blind answer).
  const [viewing, setViewing] = useState<string | null>(null)
  const viewerOpen = !!sample?.mediaUrl && viewing === sample.id
  useKeyboardShortcuts(viewerOpen ? {} : shortcuts(s))

  if (!task || !batch || answers === null || s.nothingLeft) {
    return (
      <Screen title={t("label.title")} onBack={back} testID="screen-label">
        <StateView data={s.data} error={s.error} onRetry={s.refetch}>
          {() => (task && !batch ? <Closed /> : s.nothingLeft ? <NothingLeft /> : <Loading />)}
        </StateView>
      </Screen>
    )
  }
  const total = s.samples.length
  const submit = async () => {
    await s.submit()
    replace({ name: "task", taskId })
  }
  const question = binaryQuestion(s.choices) ?? t("label.pickQuestion")
  const description = t("label.photo", { n: index + 1, total, question })
  return (
    <Screen
      maxWidth={WIDE_CONTENT_WIDTH}
      title={task.title}
      subtitle={batchName(batch.number)}
      onBack={back}
      scroll={false}
      right={<Counter done={Math.min(index + 1, total)} total={total} />}
      testID="screen-label"
    >
      <View style={styles.progress}>
        <ProgressBar
          now={answers.length}
          max={total}
          label={t("label.progress", { done: answers.length, total })}
          testID="progress"
        />
      </View>
      <ConnectionStrip />
      {sample ? (
        <View style={[styles.body, layout.sideBySide && styles.side]}>
          <View style={[styles.photo, layout.sideBySide && [styles.photoSide, { width: layout.photoWidth }]]}>
            {layout.sideBySide ? null : <Question text={question} />}
            <SampleView
              sample={sample}
              onShown={s.onShown}
              retrySignal={s.retrySignal}
              requestWidth={s.requestWidth}
              description={description}
              onOpen={sample.mediaUrl ? () => setViewing(sample.id) : undefined}
            />
          </View>
          <View style={[styles.answers, layout.sideBySide && styles.answersSide]}>
            {layout.sideBySide ? <Question text={question} /> : null}
            <AnswerChoices
              choices={s.choices}
              selected={s.given}
              enabled={s.canAnswer && !viewerOpen}
              onChoose={(l) => void s.choose(l)}
            />
            <Text style={styles.saved} accessibilityLiveRegion="polite" aria-live="polite" testID="saved-note">
              {s.lastSaved
                ? t("label.saved", { n: s.lastSaved.position, answer: choiceTitle(s, s.lastSaved.label) })
                : " "}
            </Text>
            <View style={styles.moves}>
              <Button
                label={t("label.previous")}
                variant="ghost"
                onPress={() => s.goTo(index - 1)}
                disabled={index === 0}
                testID="previous"
                style={styles.move}
              />
              {sample.mediaUrl ? (
                <Button
                  label={t("viewer.open")}
                  variant="ghost"
                  onPress={() => setViewing(sample.id)}
                  testID="zoom"
                  style={styles.move}
                />
              ) : null}
              <Button
                label={t("label.undo")}
                variant="secondary"
                onPress={() => void s.undo()}
                disabled={!s.canUndo}
                testID="undo"
                style={styles.move}
              />
            </View>
          </View>
          {viewerOpen && sample.mediaUrl ? (
            <PhotoViewer
              shownUrl={fullImageUrl(sample.mediaUrl, s.requestWidth)}
              fullUrl={sample.mediaUrl}
              description={description}
              onClose={() => setViewing(null)}
            />
          ) : null}
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

const choiceTitle = (s: ReturnType<typeof useBatchLabelling>, label: string) =>
  s.choices.find((c) => c.label === label)?.title ?? humanLabel(label)

/** y / n (and the words' initials) for Yes / No, 1-9 for the nth label, Backspace or ← for the previous sample. */
function shortcuts(s: ReturnType<typeof useBatchLabelling>): Record<string, () => void> {
  const keys: Record<string, () => void> = {}
  if (!s.sample) return keys
  s.choices.forEach((c, i) => (keys[String(i + 1)] = () => void s.choose(c.label)))
  for (const c of s.choices) {
    if (c.tone === "plain") continue
    keys[c.title[0].toLowerCase()] = keys[c.tone === "yes" ? "y" : "n"] = () => void s.choose(c.label)
  }
  keys.backspace = keys.arrowleft = () => s.goTo(s.index - 1)
  return keys
}

function Question({ text }: { text: string }) {
  const styles = useStyles()
  return (
    <Text style={[typography.title, styles.question]} accessibilityRole="header" testID="question">
      {text}
    </Text>
  )
}

function Closed() {
  return (
    <Notice tone="neutral" title={t("label.closedTitle")} testID="label-closed">
      <Text style={typography.body}>{t("label.closed")}</Text>
    </Notice>
  )
}

function NothingLeft() {
  return (
    <Notice tone="neutral" title={t("panel.nothingLeftTitle")} testID="label-nothing-left">
      <Text style={typography.body}>{t("panel.nothingLeft")}</Text>
    </Notice>
  )
}

function Counter({ done, total }: { done: number; total: number }) {
  const styles = useStyles()
  return (
    <View style={styles.counter} accessibilityLabel={t("label.counter", { done, total })}>
      <Text style={styles.counterText} testID="counter">{`${done} / ${total}`}</Text>
    </View>
  )
}

type ReviewProps = { total: number; answers: Answer[]; busy: boolean; onSubmit: () => void; onBack: () => void }

function Review({ total, answers, busy, onSubmit, onBack }: ReviewProps) {
  const styles = useStyles()
  const colors = useColors()
  const counts = new Map<string, number>()
  for (const a of answers) counts.set(a.label, (counts.get(a.label) ?? 0) + 1)
  return (
    <View style={[styles.body, styles.review]} testID="review">
      <Tile text="✓" color={colors.success} size={72} />
      <Text style={[typography.title, styles.centered]}>{t("label.allAnswered", { count: total })}</Text>
      <Text style={[typography.body, styles.centeredDim]}>
        {[...counts].map(([label, n]) => `${n} × ${humanLabel(label)}`).join(" · ")}
      </Text>
      <Button
        label={t("label.submit")}
        big
        variant="success"
        busy={busy}
        onPress={onSubmit}
        testID="submit"
        style={styles.full}
      />
      <Button label={t("label.checkLast")} variant="ghost" onPress={onBack} disabled={busy} />
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    answers: { gap: spacing.sm },
    // Beside the photo the answers take the rest of the row, centred in its height.
    answersSide: { flex: 1, justifyContent: "center" },
    body: { flex: 1, gap: spacing.sm, paddingVertical: spacing.sm },
    centered: { color: colors.text, textAlign: "center" },
    centeredDim: { color: colors.textDim, textAlign: "center" },
    counter: {
      backgroundColor: colors.text,
      borderRadius: 12,
      justifyContent: "center",
      minHeight: 40,
      paddingHorizontal: spacing.md,
    },
    counterText: { color: colors.background, fontSize: 20, fontVariant: ["tabular-nums"], fontWeight: "800" },
    full: { alignSelf: "stretch" },
    // Long words (Greek) wrap inside the buttons rather than push one off the screen.
    move: { flexShrink: 1, paddingHorizontal: spacing.md },
    moves: { flexDirection: "row", gap: spacing.sm, justifyContent: "space-between" },
    photo: { flex: 1, gap: spacing.sm },
    photoSide: { flexBasis: "auto", flexGrow: 0, flexShrink: 0 },
    progress: { marginTop: spacing.sm },
    question: { color: colors.text },
    review: { alignItems: "center", justifyContent: "center" },
    saved: { ...typography.caption, color: colors.textDim, textAlign: "center" },
    side: { flexDirection: "row", gap: spacing.md },
  })
  return styles
})
