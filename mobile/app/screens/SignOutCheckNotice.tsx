import { StyleSheet, View } from "react-native"
import { Button, Notice, Text } from "../components"
import type { SignOutCheck } from "../services/queue/signOut"
import { spacing, themed, typography } from "../theme"
import { t } from "../i18n"

type Props = { check: SignOutCheck; busy: boolean; onConfirm: () => void; onCancel: () => void }

/** Before signing out with answers on the phone: what becomes of them, and a way back. */
export function SignOutCheckNotice({ check, busy, onConfirm, onCancel }: Props) {
  const styles = useStyles()
  return (
    <Notice tone="warning" title={t("signOut.title")} testID="sign-out-check">
      {check.unsent > 0 ? (
        <Text style={typography.body} testID="sign-out-unsent">
          {t("signOut.unsent", { count: check.unsent })}
        </Text>
      ) : null}
      {check.unfinished > 0 ? (
        <Text style={typography.body} testID="sign-out-unfinished">
          {t("signOut.unfinished", { count: check.unfinished })}
        </Text>
      ) : null}
      <View style={styles.actions}>
        <Button
          label={t("signOut.confirm")}
          variant="danger"
          busy={busy}
          onPress={onConfirm}
          testID="sign-out-confirm"
        />
        <Button label={t("signOut.stay")} variant="secondary" onPress={onCancel} testID="sign-out-cancel" />
      </View>
    </Notice>
  )
}

const useStyles = themed(() => {
  const styles = StyleSheet.create({
    actions: { flexDirection: "row", flexWrap: "wrap", gap: spacing.sm },
  })
  return styles
})
