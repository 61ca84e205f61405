import { useState } from "react"
import { StyleSheet, View } from "react-native"
import { Button, Notice, Screen, Text } from "../components"
import { accessEndOf } from "../services/api/problem"
import { useSession, type AccessEnded } from "../services/session/SessionContext"
import { spacing, themed, typography } from "../theme"
import { t } from "../i18n"

/**
 * The server ended this sign-in by itself (suspended, revoked, expired): why, in its words too;
 * what became of the answers it could not take; and the way on, a new sign-up with a new invite.
 */
export function AccessEndedScreen({ ended }: { ended: AccessEnded }) {
  const styles = useStyles()
  const { startOver } = useSession()
  const [busy, setBusy] = useState(false)
  const end = accessEndOf(ended.message)
  const again = () => {
    setBusy(true)
    void startOver()
  }
  return (
    <Screen title="ActiveCrowds" testID="screen-access-ended">
      <Notice tone="danger" title={t(`ended.${end}.title`)} testID="access-ended">
        <Text style={typography.body}>{`${t(`ended.${end}`)} ${t("ended.stopped")}`}</Text>
        <Text style={[typography.body, styles.quote]} testID="server-message">
          {t("ended.serverSaid", { message: ended.message })}
        </Text>
      </Notice>
      {ended.unsent > 0 || ended.unfinished > 0 ? (
        <Notice tone="warning" title={t("ended.answersTitle")} testID="answers-left-behind">
          {ended.unsent > 0 ? (
            <Text style={typography.body} testID="unsent-answers">
              {t("ended.unsent", { count: ended.unsent })}
            </Text>
          ) : null}
          {ended.unfinished > 0 ? (
            <Text style={typography.body} testID="unfinished-answers">
              {t("ended.unfinished", { count: ended.unfinished })}
            </Text>
          ) : null}
        </Notice>
      ) : null}
      <View style={styles.next}>
        <Text style={typography.body}>{t("ended.next")}</Text>
        <Button label={t("ended.signUpAgain")} onPress={again} busy={busy} big testID="sign-up-again" />
      </View>
    </Screen>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    next: { gap: spacing.md },
    quote: { color: colors.textDim, fontStyle: "italic" },
  })
  return styles
})
