import { StyleSheet, Text, View } from "react-native"
import { Button, Notice } from "../components"
import type { SignOutCheck } from "../services/queue/signOut"
import { spacing, typography } from "../theme"

type Props = { check: SignOutCheck; busy: boolean; onConfirm: () => void; onCancel: () => void }

const answers = (n: number) => (n === 1 ? "1 answer" : `${n} answers`)

/** Before signing out with answers on the phone: what becomes of them, and a way back. */
export function SignOutCheckNotice({ check, busy, onConfirm, onCancel }: Props) {
  return (
    <Notice tone="warning" title="Sign out with answers not sent?" testID="sign-out-check">
      {check.unsent > 0 ? (
        <Text style={typography.body} testID="sign-out-unsent">
          {answers(check.unsent)} saved on this phone could not be sent yet. After you sign out the app still sends them
          as yours, with your own sign-in, as soon as it reaches the server; never under anyone else&apos;s.
        </Text>
      ) : null}
      {check.unfinished > 0 ? (
        <Text style={typography.body} testID="sign-out-unfinished">
          {answers(check.unfinished)} to a batch you have not finished will be deleted: only a finished batch can be
          sent, and nobody else may finish yours.
        </Text>
      ) : null}
      <View style={styles.actions}>
        <Button label="Sign out" variant="danger" busy={busy} onPress={onConfirm} testID="sign-out-confirm" />
        <Button label="Stay signed in" variant="secondary" onPress={onCancel} testID="sign-out-cancel" />
      </View>
    </Notice>
  )
}

const styles = StyleSheet.create({
  actions: { flexDirection: "row", flexWrap: "wrap", gap: spacing.sm },
})
