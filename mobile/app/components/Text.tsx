import { Text as NativeText, type TextProps } from "react-native"
import { useColors } from "../theme"

/**
 * Text in the palette's colour unless told otherwise: a bare Text is black on the web and on some
 * phones, unreadable on a dark background.
 */
export function Text({ style, ...props }: TextProps) {
  const c = useColors()
  return <NativeText {...props} style={[{ color: c.text }, style]} />
}
