import { PixelRatio, useWindowDimensions } from "react-native"
import { maxContentWidth, spacing } from "../theme"

/** Width of the tiny preview shown (blurred) while the full image downloads: a few kB. */
export const PREVIEW_WIDTH = 64

/**
 * The server's scaled-down copy of a media URL (`w=` pixels wide). The signed query string is kept
 * exactly as given; `w` is only appended (an existing `w` is replaced).
 */
export function previewUrl(url: string, width: number = PREVIEW_WIDTH): string {
  const [withoutHash, hash] = url.split("#", 2)
  const [base, query = ""] = withoutHash.split("?", 2)
  const kept = query.split("&").filter((p) => p !== "" && !p.startsWith("w="))
  const joined = [...kept, `w=${width}`].join("&")
  return `${base}?${joined}${hash !== undefined ? `#${hash}` : ""}`
}

// The server scales to 2048 px at most; steps of 128 px keep one URL per image across small
// layout changes, so what was prefetched is what is shown.
const STEP = 128
const MAX_WIDTH = 2048

/** The width to ask the server for: the sample's displayed width times the pixel density. */
export function imageRequestWidth(windowWidth: number, pixelRatio: number): number {
  const shown = Math.min(windowWidth, maxContentWidth) - 2 * spacing.md
  const pixels = Math.ceil((Math.max(shown, PREVIEW_WIDTH) * pixelRatio) / STEP) * STEP
  return Math.min(MAX_WIDTH, pixels)
}

/** imageRequestWidth for this screen. */
export function useImageRequestWidth(): number {
  const { width } = useWindowDimensions()
  return imageRequestWidth(width, PixelRatio.get())
}
