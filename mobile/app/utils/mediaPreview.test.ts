import { imageRequestWidth, labellingLayout, previewUrl } from "./mediaPreview"

describe("previewUrl", () => {
  it("appends the width to a signed URL without touching the signature", () => {
    expect(previewUrl("http://h/media/7?exp=100&sig=ab12")).toBe("http://h/media/7?exp=100&sig=ab12&w=64")
  })

  it("works on URLs without a query and replaces an existing width", () => {
    expect(previewUrl("http://h/media/7")).toBe("http://h/media/7?w=64")
    expect(previewUrl("http://h/media/7?w=640&sig=x", 128)).toBe("http://h/media/7?sig=x&w=128")
  })
})

describe("imageRequestWidth", () => {
  it("asks for the displayed width times the pixel density, in steps that keep URLs stable", () => {
    expect(imageRequestWidth(358, 2)).toBe(768) // 716
    expect(imageRequestWidth(358, 3)).toBe(1152)
    expect(imageRequestWidth(1280, 4)).toBe(2048) // the server's largest
  })
})

describe("labellingLayout", () => {
  it("gives a phone's photo its width, less the margins", () => {
    expect(labellingLayout(390, 844)).toEqual({ sideBySide: false, columnWidth: 390, photoWidth: 358 })
  })

  it("uses a tablet's whole width in portrait (not a phone-width column)", () => {
    expect(labellingLayout(820, 1180).photoWidth).toBe(788)
  })

  it("puts the photo beside the answers in landscape, on a tablet and on a phone on its side", () => {
    const tablet = labellingLayout(1180, 820)
    expect(tablet.sideBySide).toBe(true)
    expect(tablet.photoWidth).toBeGreaterThan(700)
    const phone = labellingLayout(844, 390)
    expect(phone.sideBySide).toBe(true)
    expect(phone.photoWidth).toBeGreaterThan(450)
  })
})
