import type { TextStyle } from "react-native"

/** Text presets; sizes chosen for reading at arm's length outdoors. */
export const typography = {
  title: { fontSize: 28, fontWeight: "700", lineHeight: 34 },
  heading: { fontSize: 20, fontWeight: "700", lineHeight: 26 },
  body: { fontSize: 17, lineHeight: 24 },
  label: { fontSize: 15, fontWeight: "600", lineHeight: 20 },
  caption: { fontSize: 13, lineHeight: 18 },
  big: { fontSize: 22, fontWeight: "700", lineHeight: 28 },
} satisfies Record<string, TextStyle>
