import type { ReactNode } from "react"

type Props = { title: ReactNode; aside?: ReactNode; className?: string; children: ReactNode; headingId?: string }

/** A titled section of a page. */
export function Card({ title, aside, className, children, headingId }: Props) {
  return (
    <section className={["card", className].filter(Boolean).join(" ")} aria-labelledby={headingId}>
      <header>
        <h2 id={headingId}>{title}</h2>
        {aside ? <div className="aside">{aside}</div> : null}
      </header>
      {children}
    </section>
  )
}
