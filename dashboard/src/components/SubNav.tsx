import { Link, useLocation } from "wouter"

export type SubLink = { href: string; label: string }

/** The views of one section, as links; the one shown is marked for screen readers too. */
export function SubNav({ label, links }: { label: string; links: readonly SubLink[] }) {
  const [location] = useLocation()
  return (
    <nav className="subnav" aria-label={label}>
      {links.map((l) => (
        <Link key={l.href} href={l.href} aria-current={location.startsWith(l.href) ? "page" : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  )
}
