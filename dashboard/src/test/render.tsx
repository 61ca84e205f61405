import type { Client } from "@urql/core"
import { render } from "@testing-library/react"
import { App } from "../App"
import type { Verdict } from "../api/verify"
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
