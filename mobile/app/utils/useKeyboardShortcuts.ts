import { useEffect, useRef } from "react"
import { Platform } from "react-native"

/** Keys -> actions, for people labelling in a desktop browser; does nothing on phones. */
export function useKeyboardShortcuts(bindings: Record<string, () => void>) {
  const latest = useRef(bindings)
  latest.current = bindings
  useEffect(() => {
    if (Platform.OS !== "web" || typeof window === "undefined") return
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return
      const target = event.target as HTMLElement | null
      if (target && /^(INPUT|TEXTAREA)$/.test(target.tagName)) return
      const action = latest.current[event.key.toLowerCase()]
      if (!action) return
      event.preventDefault()
      action()
    }
    window.addEventListener("keydown", onKey)
    return () => window.removeEventListener("keydown", onKey)
  }, [])
}
