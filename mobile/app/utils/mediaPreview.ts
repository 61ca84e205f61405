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
