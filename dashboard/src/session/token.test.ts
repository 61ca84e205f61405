import { waitFor } from "@testing-library/react"
import { takeFragmentToken, tokenFromFragment, watchFragmentToken } from "./token"

describe("the sign-in link's token", () => {
  it("is read from the fragment", () => {
    expect(tokenFromFragment("#token=abc123")).toBe("abc123")
    expect(tokenFromFragment("#token=a%2Bb")).toBe("a+b")
    expect(tokenFromFragment("#other=1")).toBeNull()
    expect(tokenFromFragment("")).toBeNull()
  })

  it("leaves the address bar once read", () => {
    window.history.replaceState(null, "", "/tasks/3?x=1#token=secret")
    expect(takeFragmentToken()).toBe("secret")
    expect(window.location.hash).toBe("")
    expect(window.location.pathname + window.location.search).toBe("/tasks/3?x=1")
  })

  it("is taken from a sign-in link opened in a page already showing the console", async () => {
    const offer = vi.fn()
    const stop = watchFragmentToken(offer)
    window.location.hash = "#token=later"
    await waitFor(() => expect(offer).toHaveBeenCalledWith("later"))
    expect(window.location.hash).toBe("")
    stop()
  })
})
