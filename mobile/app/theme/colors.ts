/** The palette: calm neutrals, one brand blue, and status colours that read in sunlight. */
const light = {
  background: "#F3F5F9",
  surface: "#FFFFFF",
  border: "#E2E8F0",
  text: "#0F172A",
  textDim: "#475569",
  textFaint: "#94A3B8",
  /** Text and icons that act (links, ghost buttons) on the page's own background. */
  link: "#1D4ED8",
  primary: "#1D4ED8",
  primaryPressed: "#1E40AF",
  primarySoft: "#DBEAFE",
  onPrimary: "#FFFFFF",
  success: "#15803D",
  successSoft: "#DCFCE7",
  warning: "#B45309",
  warningSoft: "#FEF3C7",
  danger: "#B91C1C",
  dangerSoft: "#FEE2E2",
  neutralSoft: "#E2E8F0",
  black: "#000000",
  white: "#FFFFFF",
}

export type Palette = typeof light

/**
 * At night: dark surfaces, light text, the same saturated answer colours (white text on them keeps
 * its contrast), and lighter blues for what acts.
 */
const dark: Palette = {
  background: "#0B1220",
  surface: "#131C2F",
  border: "#27324A",
  text: "#E6EAF2",
  textDim: "#A7B1C4",
  textFaint: "#6B7890",
  link: "#93C5FD",
  primary: "#2563EB",
  primaryPressed: "#1D4ED8",
  primarySoft: "#1B2A4D",
  onPrimary: "#FFFFFF",
  success: "#15803D",
  successSoft: "#0B2E1A",
  warning: "#B45309",
  warningSoft: "#33250A",
  danger: "#B91C1C",
  dangerSoft: "#3A1010",
  neutralSoft: "#27324A",
  black: "#000000",
  white: "#FFFFFF",
}

export const palettes = { light, dark }

export type Tone = "info" | "success" | "warning" | "danger" | "neutral"

/** Foreground and background of a tone, for badges and banners. */
export function toneColors(c: Palette, tone: Tone): { fg: string; bg: string } {
  const night = c === dark
  switch (tone) {
    case "info":
      return { fg: c.link, bg: c.primarySoft }
    case "success":
      return { fg: night ? "#86EFAC" : c.success, bg: c.successSoft }
    case "warning":
      return { fg: night ? "#FCD34D" : c.warning, bg: c.warningSoft }
    case "danger":
      return { fg: night ? "#FCA5A5" : c.danger, bg: c.dangerSoft }
    case "neutral":
      return { fg: c.textDim, bg: c.neutralSoft }
  }
}
