import { useEffect, useState } from "react"
import type { Unreachable } from "../api/diagnose"
import { Linking, Platform } from "react-native"
import { describeProblem, inviteProblemOf, type Problem } from "../api/problem"
import { t } from "../../i18n"

// An admin's invite is 16 letters and digits, written in groups of four (ABCD-EFGH-JKLM-NPQR);
// the server ignores case, dashes and spaces (activecrowds/domain/crowd.py, normalize_code).
const GROUP = 4

/** An invite code as the server compares it: upper case, without the dashes and spaces people add. */
export function normalizeInvite(text: string): string {
  return text.toUpperCase().replace(/[-\s]/g, "")
}

/** An invite code as people read it: upper case, in groups of four. */
export function formatInvite(text: string): string {
  return (
    normalizeInvite(text)
      .match(new RegExp(`.{1,${GROUP}}`, "g"))
      ?.join("-") ?? ""
  )
}

/** What an invite link carries: the code, and the server's address when the link names it. */
export type InviteLink = { code: string; serverUrl: string | null }

// activecrowds://invite/<code> (a phone's app link), exp://host/--/invite/<code> (Expo Go).
const APP_LINK = /^(?:activecrowds:\/\/|exp:\/\/[^/]+\/--\/)invite\/([^/?#]+)/i
// <server>/app/?invite=<code>: the link createInvite hands out (the app's web build at /app/).
const WEB_LINK = /^(https?:\/\/[^?#]*)\?(?:[^#]*&)?invite=([^&#]+)/i

/** The invite in a link (an app link or the server's web link), or null when it holds none. */
export function inviteFromLink(url: string): InviteLink | null {
  const text = url.trim()
  const app = APP_LINK.exec(text)
  const web = app ? null : WEB_LINK.exec(text)
  const code = formatInvite(decode((app ?? web)?.[app ? 1 : 2] ?? ""))
  if (!code) return null
  const serverUrl = web ? web[1].replace(/\/+$/, "").replace(/\/app$/i, "") : null
  return { code, serverUrl }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

// The code of the last sign-in on this run of the app: its link is not offered again after a
// sign-out (the browser's launch URL stays the same until the page reloads).
let used: string | null = null

/**
 * The invite of the link that opened the app (the page's address on the web; on a phone the link
 * it was launched with, or one opened while it runs), unless a sign-in has used it already.
 */
export function useInviteLink(): InviteLink | null {
  const [link, setLink] = useState<InviteLink | null>(null)
  useEffect(() => {
    let live = true
    const take = (url: string | null) => {
      const found = url ? inviteFromLink(url) : null
      if (live && found && normalizeInvite(found.code) !== used) setLink(found)
    }
    Linking.getInitialURL().then(take, () => undefined)
    const subscription = Linking.addEventListener("url", ({ url }) => take(url))
    return () => {
      live = false
      subscription.remove()
    }
  }, [])
  return link
}

/** A sign-in used `code`: never offer it again, and take it out of the browser's address bar. */
export function inviteUsed(code: string): void {
  used = normalizeInvite(code)
  if (Platform.OS !== "web" || typeof window === "undefined" || !window.history?.replaceState) return
  const { pathname, search, hash } = window.location
  const rest = search
    .replace(/^\?/, "")
    .split("&")
    .filter((part) => part && !/^invite=/i.test(part))
  window.history.replaceState(window.history.state, "", `${pathname}${rest.length ? `?${rest.join("&")}` : ""}${hash}`)
}

/** A sign-in that did not happen: what to tell the user, and whether the invite code is at fault. */
export type SignInFailure = { message: string; invite: boolean }

/**
 * Why registering failed, in the user's words; invite problems are told apart, and a server that
 * did not answer by why (diagnose: not there, not letting this web page in, not ActiveCrowds).
 */
export function describeSignUpProblem(problem: Problem, why: Unreachable = "unreachable"): SignInFailure {
  if (problem.kind === "network") return { message: unreachableMessage(why), invite: false }
  // Registration is refused without a code only where the server enrols by invite.
  if (problem.code === "FORBIDDEN") return { message: t("invite.needed"), invite: true }
  const wrong = inviteProblemOf(problem)
  if (wrong === null) return { message: describeProblem(problem), invite: false }
  const message = wrong === "other" ? t("problem.refused", { message: problem.message }) : t(`invite.${wrong}`)
  return { message, invite: true }
}

function unreachableMessage(why: Unreachable): string {
  if (why === "blocked") {
    const origin = typeof window !== "undefined" && window.location ? window.location.origin : ""
    return t("signIn.blocked", { origin })
  }
  return why === "notActiveCrowds" ? t("signIn.notActiveCrowds") : t("signIn.unreachable")
}
