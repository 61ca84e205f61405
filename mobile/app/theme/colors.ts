/** The palette: calm neutrals, one brand blue, and status colours that read in sunlight. */
export const colors = {
  background: "#F3F5F9",
  surface: "#FFFFFF",
  border: "#E2E8F0",
  text: "#0F172A",
  textDim: "#475569",
  textFaint: "#94A3B8",
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
} as const

export type Tone = "info" | "success" | "warning" | "danger" | "neutral"

/** Foreground and background of a tone, for badges and banners. */
export const toneColors: Record<Tone, { fg: string; bg: string }> = {
  info: { fg: colors.primary, bg: colors.primarySoft },
  success: { fg: colors.success, bg: colors.successSoft },
  warning: { fg: colors.warning, bg: colors.warningSoft },
  danger: { fg: colors.danger, bg: colors.dangerSoft },
  neutral: { fg: colors.textDim, bg: colors.neutralSoft },
}
