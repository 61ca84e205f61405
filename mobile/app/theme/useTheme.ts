import { useColorScheme } from "react-native"
import { palettes, type Palette } from "./colors"

/** The palette for the system's light or dark appearance, followed as it changes. */
export function useColors(): Palette {
  return useColorScheme() === "dark" ? palettes.dark : palettes.light
}

/**
 * Styles made from the palette, once per palette: `const useStyles = themed((c) => StyleSheet.create(...))`
 * at module level, `const styles = useStyles()` in the component.
 */
export function themed<T>(make: (c: Palette) => T): () => T {
  const made = new Map<Palette, T>()
  return function useThemed() {
    const c = useColors()
    let styles = made.get(c)
    if (!styles) made.set(c, (styles = make(c)))
    return styles
  }
}
