import { useEffect, useState, type ReactNode } from "react"
import { KeyboardAvoidingView, Platform, StyleSheet, TextInput, View } from "react-native"
import { Button, Notice, Screen, Text, Tile } from "../components"
import { defaultServerUrl } from "../config"
import { looksLikeServerUrl } from "../services/api/endpoints"
import { formatInvite, inviteFromLink, useInviteLink, type SignInFailure } from "../services/session/invite"
import { useSession } from "../services/session/SessionContext"
import { spacing, themed, touchTarget, typography, useColors } from "../theme"
import { t } from "../i18n"

const failure = (message: string): SignInFailure => ({ message, invite: false })

/**
 * Server address, invite code and a name: the server hands back a token that stays on this device.
 * An invite link that opened the app fills in the code (and, from the server's own link, its address).
 */
export function SignInScreen() {
  const styles = useStyles()
  const colors = useColors()
  const { state, signIn } = useSession()
  const last = state.status === "signedOut" ? state.last : null
  const [serverUrl, setServerUrl] = useState(last?.serverUrl ?? defaultServerUrl())
  const [invite, setInvite] = useState("")
  const [name, setName] = useState(last?.name ?? "")
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<SignInFailure | null>(null)
  const link = useInviteLink()

  useEffect(() => {
    if (!link) return
    setInvite(link.code)
    if (link.serverUrl) setServerUrl(link.serverUrl)
  }, [link])

  // A pasted link gives its code; whatever is typed shows in groups of four.
  const typeInvite = (text: string) => setInvite(formatInvite(inviteFromLink(text)?.code ?? text))

  const submit = async () => {
    if (!looksLikeServerUrl(serverUrl)) return setError(failure(t("signIn.badServer")))
    if (!name.trim()) return setError(failure(t("signIn.noName")))
    setBusy(true)
    setError(null)
    const failed = await signIn(serverUrl.trim(), name, invite)
    setBusy(false)
    setError(failed)
  }

  return (
    <Screen title="ActiveCrowds" subtitle={t("signIn.subtitle")} testID="screen-sign-in">
      <KeyboardAvoidingView behavior={Platform.OS === "ios" ? "padding" : undefined} style={styles.form}>
        <View style={styles.hero}>
          <Tile text="AC" color={colors.primary} size={72} />
          <Text style={[typography.title, styles.center]}>{t("signIn.welcome")}</Text>
          <Text style={[typography.body, styles.dim]}>{t("signIn.intro")}</Text>
        </View>
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
        <Field label={t("signIn.invite")} hint={t("signIn.inviteHint")}>
          <TextInput
            value={invite}
            onChangeText={typeInvite}
            placeholder="ABCD-EFGH-JKLM-NPQR"
            placeholderTextColor={colors.textFaint}
            autoCapitalize="characters"
            autoCorrect={false}
            autoComplete="off"
            spellCheck={false}
            style={[styles.input, styles.code, error?.invite ? styles.invalid : null]}
            testID="invite-code"
            accessibilityLabel={t("signIn.invite")}
            accessibilityHint={t("signIn.inviteHint")}
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
            <Text style={typography.body}>{error.message}</Text>
          </Notice>
        ) : null}
        <Button label={t("signIn.button")} onPress={submit} busy={busy} big testID="sign-in" />
      </KeyboardAvoidingView>
    </Screen>
  )
}

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  const styles = useStyles()
  return (
    <View style={styles.field}>
      <Text style={[typography.label, styles.fieldLabel]}>{label}</Text>
      {children}
      {hint ? <Text style={[typography.caption, styles.fieldLabel]}>{hint}</Text> : null}
    </View>
  )
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    center: { color: colors.text, textAlign: "center" },
    code: { letterSpacing: 1.5 },
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
    invalid: { borderColor: colors.danger, borderWidth: 2 },
  })
  return styles
})
