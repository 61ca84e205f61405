import type { Client } from "@urql/core"
import { render } from "@testing-library/react"
import type { ReactNode } from "react"
import { App } from "../App"
import { ApiProvider } from "../api/ApiProvider"
import type { Verdict } from "../api/verify"
import { SessionProvider } from "../session/SessionContext"
import type { TokenStore } from "../session/token"

export function memoryStore(token: string | null = null): TokenStore & { token: string | null } {
  const store = {
    token,
    read: () => store.token,
    write: (t: string) => void (store.token = t),
    clear: () => void (store.token = null),
  }
  return store
}

type Options = {
  path?: string
  token?: string | null
  offered?: string | null
  verify?: (t: string) => Promise<Verdict>
}

/** The whole console at `path`, signed in (unless token is null) over a fake client. */
export function renderConsole(
  client: Client,
  { path = "/", token = "admin-token", offered = null, verify }: Options = {},
) {
  window.history.replaceState(null, "", path)
  const store = memoryStore(token)
  return { ...render(<App store={store} offered={offered} client={client} verify={verify} />), store }
}

/** One part of a page, signed in with `token`, over a fake client (no shell, no routes). */
export function renderSignedIn(client: Client, ui: ReactNode, token = "admin-token") {
  const store = memoryStore(token)
  const wrapped = (inner: ReactNode) => (
    <SessionProvider store={store}>
      <ApiProvider token={token} onUnauthenticated={() => {}} client={client}>
        {inner}
      </ApiProvider>
    </SessionProvider>
  )
  const view = render(wrapped(ui))
  return { ...view, rerender: (next: ReactNode) => view.rerender(wrapped(next)) }
}
