import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react"
import { BackHandler } from "react-native"
import type { TaskCategory, TaskSubcategory } from "../gql/graphql"

/** Every place in the app behind sign-in, with what it needs to show. */
export type Route =
  | { name: "categories" }
  | { name: "subcategories"; category: TaskCategory }
  | { name: "tasks"; category: TaskCategory; subcategory: TaskSubcategory }
  | { name: "task"; taskId: string }
  | { name: "label"; taskId: string }

type Navigation = {
  route: Route
  canGoBack: boolean
  push: (route: Route) => void
  /** Replace the current screen (e.g. labelling -> task after submitting). */
  replace: (route: Route) => void
  back: () => void
}

const NavigationContext = createContext<Navigation | null>(null)

// A plain stack is all five screens need; it keeps the bundle small and the tests simple.
/** Holds the screen stack and wires Android's back button to it. */
export function NavigationProvider({ children, initial }: { children: ReactNode; initial?: Route[] }) {
  const [stack, setStack] = useState<Route[]>(initial ?? [{ name: "categories" }])
  const push = useCallback((route: Route) => setStack((s) => [...s, route]), [])
  const replace = useCallback((route: Route) => setStack((s) => [...s.slice(0, -1), route]), [])
  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), [])

  useEffect(() => {
    const sub = BackHandler.addEventListener("hardwareBackPress", () => {
      if (stack.length <= 1) return false
      back()
      return true
    })
    return () => sub.remove()
  }, [stack.length, back])

  const value = useMemo(
    () => ({ route: stack[stack.length - 1], canGoBack: stack.length > 1, push, replace, back }),
    [stack, push, replace, back],
  )
  return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>
}

/** The current route and the moves between screens. */
export function useNavigation(): Navigation {
  const nav = useContext(NavigationContext)
  if (!nav) throw new Error("useNavigation outside NavigationProvider")
  return nav
}
