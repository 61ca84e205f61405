import { screen } from "@testing-library/react-native"
import { useColorScheme } from "react-native"
import { aTask } from "../test/fixtures"
import { fakeClient } from "../test/fakeClient"
import { renderApp } from "../test/render"
import { palettes, toneColors, type Palette, type Tone } from "./colors"

jest.mock("react-native/Libraries/Utilities/useColorScheme", () => ({ __esModule: true, default: jest.fn() }))
const scheme = useColorScheme as jest.Mock

/** WCAG 2 contrast ratio of two #RRGGBB colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl)
  }
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

describe("dark mode", () => {
  afterEach(() => scheme.mockReset())

  it("follows the system: dark surfaces and light text when the phone is dark", async () => {
    scheme.mockReturnValue("dark")
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByTestId("screen-task")).toHaveStyle({ backgroundColor: palettes.dark.background })
    expect(screen.getByText("Is the building in the photo collapsed?")).toHaveStyle({ color: palettes.dark.text })
  })

  it("stays light when the phone is light", async () => {
    scheme.mockReturnValue("light")
    const { client } = fakeClient({ Task: () => ({ task: aTask() }) })
    renderApp(client, [{ name: "task", taskId: "t1" }])
    expect(await screen.findByTestId("screen-task")).toHaveStyle({ backgroundColor: palettes.light.background })
  })

  it.each(Object.entries(palettes))("keeps %s text readable (WCAG AA)", (_name, c: Palette) => {
    for (const bg of [c.background, c.surface]) {
      expect(contrast(c.text, bg)).toBeGreaterThanOrEqual(7)
      expect(contrast(c.textDim, bg)).toBeGreaterThanOrEqual(4.5)
      expect(contrast(c.link, bg)).toBeGreaterThanOrEqual(4.5)
    }
    for (const bg of [c.primary, c.success, c.danger]) expect(contrast(c.onPrimary, bg)).toBeGreaterThanOrEqual(4.5)
    for (const tone of ["info", "success", "warning", "danger", "neutral"] as Tone[]) {
      const { fg, bg } = toneColors(c, tone)
      expect([tone, contrast(fg, bg) >= 4.5]).toEqual([tone, true])
    }
  })
})
