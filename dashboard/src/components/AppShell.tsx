import type { ReactNode } from "react"
import { Link, useLocation } from "wouter"
import type { LiveStatus } from "../domain/live"
import { Button } from "./Button"

const LIVE_TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
}

type Props = {
  live: LiveStatus
  theme: "light" | "dark"
  onToggleTheme: () => void
  onSignOut: () => void
  children: ReactNode
}

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [location] = useLocation()
  const current = href === "/" ? location === "/" : location.startsWith(href)
  return (
    <Link href={href} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  )
}

/** The frame of every signed-in page: where you are, whether events are flowing, theme, sign out. */
export function AppShell({ live, theme, onToggleTheme, onSignOut, children }: Props) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          ActiveCrowds <span>console</span>
        </Link>
        <nav className="topnav" aria-label="Main">
          <NavLink href="/">Tasks</NavLink>
          <NavLink href="/tasks/new">New task</NavLink>
          <NavLink href="/crowd">Crowd</NavLink>
        </nav>
        <div className="topbar-end">
          <span className="live" data-status={live} role="status" data-testid="live">
            {LIVE_TEXT[live]}
          </span>
          <Button
            variant="ghost"
            onClick={onToggleTheme}
            aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} mode`}
          >
            {theme === "dark" ? "☀ Light" : "☾ Dark"}
          </Button>
          <Button variant="ghost" onClick={onSignOut}>
            Sign out
          </Button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  )
}
