// The admin token lives in this browser's local storage once signed in. The server's start
// banner links to `/#token=<token>`: a fragment never leaves the browser (no server log or proxy
// sees it), and the console takes it out of the address bar as soon as it has read it.

const KEY = "activecrowds.console.token"

export type TokenStore = {
  read: () => string | null
  write: (token: string) => void
  clear: () => void
}

export function localTokenStore(storage: Storage = window.localStorage): TokenStore {
  return {
    read: () => storage.getItem(KEY),
    write: (token) => storage.setItem(KEY, token),
    clear: () => storage.removeItem(KEY),
  }
}

/** The token in a `#token=...` fragment, if there is one. */
export function tokenFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token")?.trim()
  return token ? token : null
}

/** Read the sign-in link's token and take it out of the address bar (and so out of history). */
export function takeFragmentToken(win: Window = window): string | null {
  const token = tokenFromFragment(win.location.hash)
  if (token) win.history.replaceState(win.history.state, "", win.location.pathname + win.location.search)
  return token
}

/** Call `offer` with the token each time a sign-in link is opened in this page (a fragment change, no reload). */
export function watchFragmentToken(offer: (token: string) => void, win: Window = window): () => void {
  const onChange = () => {
    const token = takeFragmentToken(win)
    if (token) offer(token)
  }
  win.addEventListener("hashchange", onChange)
  return () => win.removeEventListener("hashchange", onChange)
}
