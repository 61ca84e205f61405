import { el } from "./el"
import { en } from "./en"
import { deviceLocale, percent, setLocale, t } from "./index"

describe("the translation layer", () => {
  afterEach(() => setLocale("en"))

  it("fills in names and picks the plural form by count", () => {
    expect(t("categories.signedInAs", { name: "Amina" })).toBe("Signed in as Amina")
    expect(t("strip.waiting", { count: 1 })).toBe("1 answer saved on this phone, waiting to be sent")
    expect(t("strip.waiting", { count: 30 })).toBe("30 answers saved on this phone, waiting to be sent")
    expect(t("strip.waiting", { count: 0 })).toMatch(/^0 answers/)
  })

  it("speaks Greek completely: every key, the same placeholders, both plural forms", () => {
    setLocale("el")
    expect(t("panel.start")).toBe("Έναρξη επισήμανσης")
    expect(t("strip.waiting", { count: 1 })).toBe("1 απάντηση στο τηλέφωνο περιμένει να σταλεί")
    expect(t("strip.waiting", { count: 3 })).toBe("3 απαντήσεις στο τηλέφωνο περιμένουν να σταλούν")
    const holes = (s: unknown) =>
      JSON.stringify(s)
        .match(/\{\w+\}/g)
        ?.sort() ?? []
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect([key, typeof el[key]]).toEqual([key, typeof en[key]])
      expect([key, holes(el[key])]).toEqual([key, holes(en[key])])
    }
  })

  it("writes numbers the way the language does", () => {
    expect(percent(0.874)).toBe("87.4%")
    setLocale("el")
    expect(percent(0.874)).toMatch(/^87,4\s?%$/)
  })

  it("follows the device's language when the app speaks it", () => {
    const had = Object.getOwnPropertyDescriptor(globalThis, "navigator")
    const speak = (language: string) =>
      Object.defineProperty(globalThis, "navigator", { value: { language }, configurable: true })
    try {
      speak("el-GR")
      expect(deviceLocale()).toBe("el")
      speak("sw-KE")
      expect(deviceLocale()).toBe("en")
    } finally {
      if (had) Object.defineProperty(globalThis, "navigator", had)
      else delete (globalThis as { navigator?: unknown }).navigator
    }
  })
})
