import type { Client } from "@urql/core"
import { useCallback } from "react"
import { Redirect, Route, Switch } from "wouter"
import { ApiProvider, useLive } from "./api/ApiProvider"
import type { Verdict } from "./api/verify"
import { AppShell } from "./components/AppShell"
import { CreateTaskPage } from "./pages/CreateTaskPage"
import { CrowdPage } from "./pages/CrowdPage"
import { NotFoundPage } from "./pages/NotFoundPage"
import { SignInPage } from "./pages/SignInPage"
import { TaskPage } from "./pages/TaskPage"
import { TasksPage } from "./pages/TasksPage"
import { SessionProvider, useSession } from "./session/SessionContext"
import type { TokenStore } from "./session/token"
import { useTheme, type Theme } from "./theme"

const EXPIRED = "The server no longer accepts this token (it may have restarted with another). Sign in again."

function Pages() {
  return (
    <Switch>
      <Route path="/">
        <TasksPage />
      </Route>
      <Route path="/tasks/new">
        <CreateTaskPage />
      </Route>
      <Route path="/tasks/:id">{(params) => <TaskPage key={params.id} id={params.id} />}</Route>
      <Route path="/crowd">
        <Redirect to="/crowd/annotators" replace />
      </Route>
      <Route path="/crowd/annotators">
        <CrowdPage view="annotators" />
      </Route>
      <Route path="/crowd/invites">
        <CrowdPage view="invites" />
      </Route>
      <Route>
        <NotFoundPage />
      </Route>
    </Switch>
  )
}

function SignedIn({ theme, onToggleTheme }: { theme: Theme; onToggleTheme: () => void }) {
  const { status } = useLive()
  const { signOut } = useSession()
  return (
    <AppShell live={status} theme={theme} onToggleTheme={onToggleTheme} onSignOut={() => signOut()}>
      <Pages />
    </AppShell>
  )
}

type Props = {
  store: TokenStore
  /** A token from the sign-in link, to check before use. */
  offered?: string | null
  /** Tokens from sign-in links opened later in the same page. */
  watchOffers?: (offer: (token: string) => void) => () => void
  /** Tests pass a fake client and token check. */
  client?: Client
  verify?: (token: string) => Promise<Verdict>
}

function Gate({ client, verify }: Pick<Props, "client" | "verify">) {
  const { token, signOut } = useSession()
  const [theme, toggleTheme] = useTheme()
  const expire = useCallback(() => signOut(EXPIRED), [signOut])
  if (!token) return <SignInPage verify={verify} />
  return (
    <ApiProvider token={token} onUnauthenticated={expire} client={client}>
      <SignedIn theme={theme} onToggleTheme={toggleTheme} />
    </ApiProvider>
  )
}

/** The console: sign in with the admin token, then the pages, all over one live connection. */
export function App({ store, offered, watchOffers, client, verify }: Props) {
  return (
    <SessionProvider store={store} offered={offered} watchOffers={watchOffers}>
      <Gate client={client} verify={verify} />
    </SessionProvider>
  )
}
