import { act, fireEvent, render, screen } from "@testing-library/react-native"
import { AccessibilityInfo, Image, Platform } from "react-native"
import { prefetchImages, SampleView } from "./SampleView"

const signed = "http://test/media/5?exp=1&sig=abc"
// The preview is hidden from screen readers (the full image carries the label).
const hidden = { includeHiddenElements: true }

describe("SampleView images", () => {
  // The fade is an animation: run its clock by hand rather than wait for it.
  beforeEach(() => jest.useFakeTimers())
  afterEach(() => jest.useRealTimers())
  const finishFade = () => act(() => jest.advanceTimersByTime(1_000))

  it("shows the tiny preview at once, then fades the full image in over it", () => {
    render(<SampleView sample={{ id: "s5", mediaUrl: signed }} />)
    expect(screen.getByTestId("sample-preview", hidden).props.source).toEqual({ uri: `${signed}&w=64` })
    expect(screen.getByTestId("sample-full-image").props.source).toEqual({ uri: signed })
    expect(screen.getByTestId("sample-full")).toHaveStyle({ opacity: 0 })

    fireEvent(screen.getByTestId("sample-preview", hidden), "load")
    expect(screen.getByTestId("sample-loading")).toBeTruthy()
    fireEvent(screen.getByTestId("sample-full-image"), "load")
    finishFade()
    expect(screen.queryByTestId("sample-preview", hidden)).toBeNull()
    expect(screen.getByTestId("sample-full")).toHaveStyle({ opacity: 1 })
    expect(screen.queryByTestId("sample-loading")).toBeNull()
  })

  it("starts again from the preview for the next sample, and says so when an image fails", () => {
    const view = render(<SampleView sample={{ id: "s5", mediaUrl: signed }} />)
    fireEvent(screen.getByTestId("sample-full-image"), "load")
    finishFade()
    expect(screen.queryByTestId("sample-preview", hidden)).toBeNull()
    view.rerender(<SampleView sample={{ id: "s6", mediaUrl: "http://test/media/6?sig=x" }} />)
    expect(screen.getByTestId("sample-preview", hidden).props.source).toEqual({ uri: "http://test/media/6?sig=x&w=64" })
    fireEvent(screen.getByTestId("sample-full-image"), "error")
    expect(screen.getByText(/could not be loaded/)).toBeTruthy()
  })

  it("shows an image it has already loaded at once: no preview, no fade", () => {
    const url = "http://test/media/8?sig=y"
    const first = render(<SampleView sample={{ id: "s8", mediaUrl: url }} />)
    fireEvent(screen.getByTestId("sample-full-image"), "load")
    first.unmount()

    // Back to the same photo (Previous, or the next sample after a prefetch)
    const onShown = jest.fn()
    render(<SampleView sample={{ id: "s8", mediaUrl: url }} onShown={onShown} />)
    expect(screen.queryByTestId("sample-preview", hidden)).toBeNull()
    expect(screen.getByTestId("sample-full")).toHaveStyle({ opacity: 1 })
    expect(onShown).not.toHaveBeenCalled() // on screen once the image element has it
    fireEvent(screen.getByTestId("sample-full-image"), "load")
    expect(onShown).toHaveBeenCalledWith("s8")
  })

  it("asks the server for the displayed size, and draws a tiny image's pixels sharp in a browser", () => {
    const os = Platform.OS
    Platform.OS = "web"
    try {
      render(<SampleView sample={{ id: "s9", mediaUrl: "http://test/media/9?sig=z" }} requestWidth={768} />)
      const full = screen.getByTestId("sample-full-image")
      expect(full.props.source).toEqual({ uri: "http://test/media/9?sig=z&w=768" })
      fireEvent(full, "load", { nativeEvent: { source: { width: 28, height: 28 } } })
      expect(screen.getByTestId("sample-full-image")).toHaveStyle({ imageRendering: "pixelated" } as object)
    } finally {
      Platform.OS = os
    }
  })

  it("shows a photo at once, without fading, when the person asked for less motion", async () => {
    const spy = jest.spyOn(AccessibilityInfo, "isReduceMotionEnabled").mockResolvedValue(true)
    render(<SampleView sample={{ id: "s10", mediaUrl: "http://test/media/10?sig=m" }} />)
    await act(async () => undefined) // the setting arrives
    fireEvent(screen.getByTestId("sample-full-image"), "load")
    expect(screen.getByTestId("sample-full")).toHaveStyle({ opacity: 1 })
    expect(screen.queryByTestId("sample-preview", hidden)).toBeNull()
    spy.mockRestore()
  })

  it("tells when a text sample is on screen", () => {
    const onShown = jest.fn()
    render(<SampleView sample={{ id: "x1", text: "Bridge down" }} onShown={onShown} />)
    expect(onShown).toHaveBeenCalledWith("x1")
  })
})

describe("prefetchImages", () => {
  it("fetches the previews of the next samples first, then their full images", async () => {
    const fetched: string[] = []
    const spy = jest.spyOn(Image, "prefetch").mockImplementation(async (url: string) => {
      fetched.push(url)
      return true
    })
    await act(() => prefetchImages(["http://t/media/1?sig=a", null, "http://t/media/2?sig=b"]))
    expect(fetched).toEqual([
      "http://t/media/1?sig=a&w=64",
      "http://t/media/2?sig=b&w=64",
      "http://t/media/1?sig=a",
      "http://t/media/2?sig=b",
    ])
    spy.mockRestore()
  })

  it("still fetches the full images when a preview fails", async () => {
    const fetched: string[] = []
    const spy = jest.spyOn(Image, "prefetch").mockImplementation(async (url: string) => {
      fetched.push(url)
      if (url.endsWith("w=64")) throw new Error("offline")
      return true
    })
    await prefetchImages(["http://t/media/3?sig=c"])
    expect(fetched).toEqual(["http://t/media/3?sig=c&w=64", "http://t/media/3?sig=c"])
    spy.mockRestore()
  })
})
