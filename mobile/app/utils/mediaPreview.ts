import { PixelRatio, useWindowDimensions } from "react-native"
import { spacing } from "../theme"

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

/** The widest the labelling screen grows (a tablet in landscape, a desktop browser). */
export const WIDE_CONTENT_WIDTH = 1240
// Landscape this wide puts the answers beside the photo (a phone on its side: 844 x 390).
const SIDE_BY_SIDE_MIN_WIDTH = 600
/** The share of the row the photo takes beside the answers. */
export const SIDE_PHOTO_SHARE = 0.62

export type LabellingLayout = { sideBySide: boolean; columnWidth: number; photoWidth: number }

/**
 * How the labelling screen uses a window: a portrait window gives the photo its whole width (up to
 * WIDE_CONTENT_WIDTH); a landscape one puts the photo and the answers side by side.
 */
export function labellingLayout(windowWidth: number, windowHeight: number): LabellingLayout {
  const columnWidth = Math.min(windowWidth, WIDE_CONTENT_WIDTH)
  const inner = columnWidth - 2 * spacing.md
  const sideBySide = windowWidth > windowHeight && windowWidth >= SIDE_BY_SIDE_MIN_WIDTH
  return { sideBySide, columnWidth, photoWidth: sideBySide ? Math.round(inner * SIDE_PHOTO_SHARE) : inner }
}

/** The width to ask the server for: the photo's displayed width times the pixel density. */
export function imageRequestWidth(photoWidth: number, pixelRatio: number): number {
  const pixels = Math.ceil((Math.max(photoWidth, PREVIEW_WIDTH) * pixelRatio) / STEP) * STEP
  return Math.min(MAX_WIDTH, pixels)
}

/** labellingLayout for this window. */
export function useLabellingLayout(): LabellingLayout {
  const { width, height } = useWindowDimensions()
  return labellingLayout(width, height)
}

/** imageRequestWidth for this screen. */
export function useImageRequestWidth(): number {
  return imageRequestWidth(useLabellingLayout().photoWidth, PixelRatio.get())
}
