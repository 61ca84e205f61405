import { useState } from "react"
import { KeyboardAvoidingView, Platform, StyleSheet, TextInput, View } from "react-native"
import { Button, Notice, Screen, Text, Tile } from "../components"
import { defaultServerUrl } from "../config"
import { looksLikeServerUrl } from "../services/api/endpoints"
import { useSession } from "../services/session/SessionContext"
import { spacing, themed, touchTarget, typography, useColors } from "../theme"
import { t } from "../i18n"

/** Server address and a name: the server hands back a token that stays on this device. */
export function SignInScreen() {
  const styles = useStyles()
  const colors = useColors()
  const { state, signIn } = useSession()
  const last = state.status === "signedOut" ? state.last : null
  const expiry = state.status === "signedOut" ? state.expiry : undefined
  const [serverUrl, setServerUrl] = useState(last?.serverUrl ?? defaultServerUrl())
  const [name, setName] = useState(last?.name ?? "")
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async () => {
    if (!looksLikeServerUrl(serverUrl)) return setError(t("signIn.badServer"))
    if (!name.trim()) return setError(t("signIn.noName"))
    setBusy(true)
    setError(null)
    const problem = await signIn(serverUrl.trim(), name)
    setBusy(false)
    setError(problem)
  }

  return (
    <Screen title="ActiveCrowds" subtitle={t("signIn.subtitle")} testID="screen-sign-in">
      <KeyboardAvoidingView behavior={Platform.OS === "ios" ? "padding" : undefined} style={styles.form}>
        <View style={styles.hero}>
          <Tile text="AC" color={colors.primary} size={72} />
          <Text style={[typography.title, styles.center]}>{t("signIn.welcome")}</Text>
          <Text style={[typography.body, styles.dim]}>{t("signIn.intro")}</Text>
        </View>
        {expiry ? <ExpiryNotice message={expiry.message} unsent={expiry.unsentAnswers} /> : null}
        <Field label={t("signIn.server")}>
          <TextInput
            value={serverUrl}
            onChangeText={setServerUrl}
            placeholder="https://crowd.example.org"
            placeholderTextColor={colors.textFaint}
            autoCapitalize="none"
            autoCorrect={false}
            keyboardType="url"
            style={styles.input}
            testID="server-url"
            accessibilityLabel={t("signIn.server")}
          />
        </Field>
        <Field label={t("signIn.name")}>
          <TextInput
            value={name}
            onChangeText={setName}
            placeholder={t("signIn.namePlaceholder")}
            placeholderTextColor={colors.textFaint}
            autoCorrect={false}
            returnKeyType="go"
            onSubmitEditing={submit}
            style={styles.input}
            testID="annotator-name"
            accessibilityLabel={t("signIn.name")}
          />
        </Field>
        {error ? (
          <Notice tone="danger" title={t("signIn.failed")} testID="sign-in-error">
            <Text style={typography.body}>{error}</Text>
          </Notice>
        ) : null}
        <Button label={t("signIn.button")} onPress={submit} busy={busy} big testID="sign-in" />
      </KeyboardAvoidingView>
    </Screen>
  )
}

/** Why the user is here again, and what became of answers that were still waiting to be sent. */
function ExpiryNotice({ message, unsent }: { message: string; unsent: number }) {
  return (
    <Notice tone="warning" title={t("signIn.signedOut")} testID="sign-in-expired">
      <Text style={typography.body}>{message}</Text>
      {unsent > 0 ? (
        <Text style={typography.body} testID="unsent-answers">
          {t("signIn.unsent", { count: unsent })}
        </Text>
      ) : null}
    </Notice>
  )
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  const styles = useStyles()
  return (
    <View style={styles.field}>
      <Text style={[typography.label, styles.fieldLabel]}>{label}</Text>
      {children}
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    center: { color: colors.text, textAlign: "center" },
    dim: { color: colors.textDim, textAlign: "center" },
    field: { gap: spacing.xs },
    fieldLabel: { color: colors.textDim },
    form: { gap: spacing.lg },
    hero: { alignItems: "center", gap: spacing.sm, paddingVertical: spacing.lg },
    input: {
      backgroundColor: colors.surface,
      borderColor: colors.border,
      borderRadius: 14,
      borderWidth: 1,
      color: colors.text,
      fontSize: 18,
      minHeight: touchTarget,
      paddingHorizontal: spacing.md,
    },
  })
  return styles
})
