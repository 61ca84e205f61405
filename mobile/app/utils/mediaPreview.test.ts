import { previewUrl } from "./mediaPreview"

describe("previewUrl", () => {
  it("appends the width to a signed URL without touching the signature", () => {
    expect(previewUrl("http://h/media/7?exp=100&sig=ab12")).toBe("http://h/media/7?exp=100&sig=ab12&w=64")
  })

  it("works on URLs without a query and replaces an existing width", () => {
    expect(previewUrl("http://h/media/7")).toBe("http://h/media/7?w=64")
    expect(previewUrl("http://h/media/7?w=640&sig=x", 128)).toBe("http://h/media/7?sig=x&w=128")
  })
})
