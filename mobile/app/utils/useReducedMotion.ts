import { useEffect, useState } from "react"
import { AccessibilityInfo } from "react-native"

/** True when the person asked the system for less motion (no fades then). */
export function useReducedMotion(): boolean {
  const [reduced, setReduced] = useState(false)
  useEffect(() => {
    let live = true
    void AccessibilityInfo.isReduceMotionEnabled()
      .then((on) => live && on && setReduced(true))
      .catch(() => undefined)
    const sub = AccessibilityInfo.addEventListener("reduceMotionChanged", setReduced)
    return () => {
      live = false
      sub?.remove()
    }
  }, [])
  return reduced
}
