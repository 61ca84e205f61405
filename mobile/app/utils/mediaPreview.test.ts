import { imageRequestWidth, previewUrl } from "./mediaPreview"

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
    expect(imageRequestWidth(390, 2)).toBe(768) // (390 - 32) * 2 = 716
    expect(imageRequestWidth(390, 3)).toBe(1152)
    expect(imageRequestWidth(1280, 1)).toBe(640) // the column stops at 560
    expect(imageRequestWidth(1280, 4)).toBe(2048) // the server's largest
  })
})
