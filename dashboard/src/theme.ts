import { useCallback, useEffect, useState } from "react"

export type Theme = "light" | "dark"
const KEY = "activecrowds.console.theme"

function systemTheme(): Theme {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light"
}

/** The theme this browser chose (or the system's), set on <html data-theme> for the CSS. */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem(KEY) as Theme | null) ?? systemTheme())
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  const toggle = useCallback(() => {
    setTheme((t) => {
      const next = t === "dark" ? "light" : "dark"
      localStorage.setItem(KEY, next)
      return next
    })
  }, [])
  return [theme, toggle]
}
