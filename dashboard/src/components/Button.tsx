import type { ComponentProps, ReactNode } from "react"
import { Link } from "wouter"

type Variant = "primary" | "secondary" | "danger" | "ghost"

export function Button({
  variant = "secondary",
  type = "button",
  ...rest
}: ComponentProps<"button"> & { variant?: Variant }) {
  return <button className="button" data-variant={variant} type={type} {...rest} />
}

/** A link that looks like a button (it navigates, so it is a link for keyboards and screen readers). */
export function ButtonLink({
  href,
  variant = "secondary",
  children,
}: {
  href: string
  variant?: Variant
  children: ReactNode
}) {
  return (
    <Link href={href} className="button" data-variant={variant}>
      {children}
    </Link>
  )
}
