// The photo at tablet size and on a phone on its side: the layout uses the screen, and the photo
// opens full screen to zoom in (a double tap), loading the full-size image.
import assert from "node:assert/strict"
import { test } from "node:test"
import { answerable, onTask } from "./app.mjs"
import { shoot, waitFor } from "./harness.mjs"

const TABLET = { viewport: { width: 820, height: 1180 }, deviceScaleFactor: 2 }
const TABLET_LANDSCAPE = { viewport: { width: 1180, height: 820 }, deviceScaleFactor: 2 }
const PHONE_LANDSCAPE = { viewport: { width: 844, height: 390 }, deviceScaleFactor: 3 }

const box = (page, testId) => page.getByTestId(testId).first().boundingBox()

/** The scale of the full-screen image's transform (1 when not zoomed). */
const scaleOf = (page) =>
  page.getByTestId("photo-viewer-image").evaluate((e) => {
    const m = getComputedStyle(e).transform
    return m === "none" ? 1 : Number(m.match(/matrix\(([^,]+)/)[1])
  })

export function viewer(state) {
  test("a tablet: the photo uses the width; a double tap zooms in on the full-size photo", async () => {
    const { context, page } = await onTask(state, state.tasks.zoom, "Tablet user", TABLET)
    const media = []
    page.on("request", (r) => r.url().includes("/media/") && media.push(r.url()))
    await page.getByTestId("start-labelling").tap()
    await answerable(page)
    const photo = await box(page, "sample-image")
    assert.ok(photo.width > 700, `photo ${photo.width} px wide on an 820 px tablet`)
    await shoot(page, "60-tablet-labelling")

    await page.getByTestId("sample-open").tap()
    await page.getByTestId("photo-viewer").waitFor()
    assert.equal(await scaleOf(page), 1)
    const stage = await box(page, "photo-viewer-stage")
    const [x, y] = [stage.x + stage.width / 2, stage.y + stage.height / 2]
    await page.touchscreen.tap(x, y)
    await page.touchscreen.tap(x, y)
    await waitFor(async () => (await scaleOf(page)) > 1, { what: "zoomed in", timeoutMs: 5_000, everyMs: 50 })
    await waitFor(async () => media.some((u) => !/[?&]w=/.test(u)), { what: "the full-size photo asked for" })
    await shoot(page, "61-tablet-zoomed")
    // The answers cannot be reached while the photo is open.
    await page.keyboard.press("y")
    await page.keyboard.press("Escape")
    await page.getByTestId("photo-viewer").waitFor({ state: "detached" })
    assert.equal(await page.getByTestId("counter").textContent(), "1 / 5")
    await context.close()
  })

  test("a tablet in landscape and a phone on its side: the photo beside the answers", async () => {
    // Each on its own task: the server hands a small batch's samples to only so many people at once.
    for (const [options, name, minWidth, task] of [
      [TABLET_LANDSCAPE, "62-tablet-landscape", 700, state.tasks.zoomWide],
      [PHONE_LANDSCAPE, "63-phone-landscape", 450, state.tasks.zoomPhone],
    ]) {
      const { context, page } = await onTask(state, task, `Landscape ${name}`, options)
      await page.getByTestId("start-labelling").tap()
      await answerable(page)
      const photo = await box(page, "sample-image")
      const answer = await box(page, "question")
      assert.ok(photo.width > minWidth, `photo ${photo.width} px wide`)
      assert.ok(photo.height > options.viewport.height / 2, `photo ${photo.height} px tall`)
      assert.ok(answer.x > photo.x + photo.width - 1, "the answers beside the photo")
      await shoot(page, name)
      await context.close()
    }
  })
}
