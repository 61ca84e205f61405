import { act, renderHook } from "@testing-library/react-native"

import { MIN_LOOK_MS, useLook } from "./useBatchLabelling"

beforeEach(() => jest.useFakeTimers())
afterEach(() => jest.useRealTimers())

function looking(first: string) {
  return renderHook(({ id }: { id: string }) => useLook(id), { initialProps: { id: first } })
}

describe("useLook", () => {
  it("keeps the look of the next photo when leaving the last one is noticed after it loaded", () => {
    const { result, rerender } = looking("a")
    // The next photo (cached) loads and is seen before the screen has moved on from "a"
    act(() => {
      result.current.shown("b")
      jest.advanceTimersByTime(MIN_LOOK_MS)
    })
    rerender({ id: "b" })
    expect(result.current.ready("b")).toBe(true)
    expect(result.current.readyFor).toBe("b")
  })

  it("asks for a new look at a photo come back to", () => {
    const { result, rerender } = looking("a")
    act(() => {
      result.current.shown("a")
      jest.advanceTimersByTime(MIN_LOOK_MS)
    })
    expect(result.current.ready("a")).toBe(true)
    rerender({ id: "b" })
    rerender({ id: "a" })
    expect(result.current.ready("a")).toBe(false)
    expect(result.current.readyFor).toBeNull()
  })

  it("never calls a photo seen before MIN_LOOK_MS", () => {
    const { result } = looking("a")
    act(() => {
      result.current.shown("a")
      jest.advanceTimersByTime(MIN_LOOK_MS - 1)
    })
    expect(result.current.ready("a")).toBe(false)
  })
})
