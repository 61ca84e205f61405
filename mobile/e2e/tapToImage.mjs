// How long from a tap on an answer to the next photo fully on screen: at normal speed, and on a
// slow phone (4x CPU slowdown) on a slow network (700 ms round trip). Before issue 12: p50 / p90
// 284 / 327 ms normal, 363 / 462 ms slow (a 250 ms fade even for photos already loaded).
import assert from "node:assert/strict"
import { writeFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { test } from "node:test"
import { setTimeout as sleep } from "node:timers/promises"
import { answerable, openBatch, openTask, signIn, slowNetwork } from "./app.mjs"
import { phone, SCREENSHOTS } from "./harness.mjs"

const BEFORE = { normal: { p50: 284, p90: 327 }, slow: { p50: 363, p90: 462 } }
const TAPS = 15

/** In the page: ms from the next pointerdown to the frame after the next photo is fully shown. */
function nextPhotoShown() {
  return new Promise((resolve) => {
    const before = document.querySelector('[data-testid="counter"]')?.textContent
    let start = null
    addEventListener("pointerdown", (e) => (start = e.timeStamp), { capture: true, once: true })
    const shown = () => {
      const photo = document.querySelector('[data-testid="sample-full-image"]')
      const layer = document.querySelector('[data-testid="sample-full"]')
      return (
        document.querySelector('[data-testid="counter"]')?.textContent !== before &&
        photo?.getAttribute("aria-busy") === "false" &&
        layer &&
        getComputedStyle(layer).opacity === "1"
      )
    }
    let faded = false
    const check = () => {
      // A photo shown through its preview (not yet loaded) fades in; one already loaded does not.
      faded ||= !!document.querySelector('[data-testid="sample-preview"]')
      if (start !== null && shown()) requestAnimationFrame(() => resolve({ ms: performance.now() - start, faded }))
      else requestAnimationFrame(check)
    }
    requestAnimationFrame(check)
  })
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)])
}

async function measure(page, taps) {
  const times = []
  let fades = 0
  for (let i = 0; i < taps; i++) {
    await answerable(page)
    const shown = page.evaluate(nextPhotoShown)
    await page.getByTestId("answer-long_sleeved").tap()
    const { ms, faded } = await shown
    times.push(ms)
    if (faded) fades++
  }
  return { p50: percentile(times, 50), p90: percentile(times, 90), times: times.map(Math.round), fades }
}

export function tapToImage(state) {
  test("tap to next photo: no slower than before, at normal speed and on a slow phone and network", async () => {
    // Every task's first round trained: no training competes with the browser for the CPU.
    for (const taskId of Object.values(state.tasks)) await openBatch(state.server.url, taskId, 0)
    const { context, page } = await phone(state.browser)
    await page.goto(state.web.url)
    await signIn(page, "Quick one", state.invite)
    await openTask(page, state.tasks.speed)
    await page.getByTestId("start-labelling").tap()
    await answerable(page)
    await sleep(1_500) // the batch's photos are prefetched when it opens
    const normal = await measure(page, TAPS)

    const cdp = await slowNetwork(context, page)
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 })
    const slow = await measure(page, TAPS)
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 })
    mkdirSync(SCREENSHOTS, { recursive: true })
    writeFileSync(join(SCREENSHOTS, "tap-to-image.json"), JSON.stringify({ before: BEFORE, normal, slow }, null, 2))
    console.log(
      `tap to next photo, ms: normal p50 ${normal.p50} p90 ${normal.p90}; slow p50 ${slow.p50} p90 ${slow.p90}`,
    )
    assert.equal(normal.fades + slow.fades, 0, "photos already loaded show without a fade")
    assert.ok(normal.p90 <= BEFORE.normal.p90, `normal: ${JSON.stringify(normal)}`)
    assert.ok(slow.p90 <= BEFORE.slow.p90, `slow: ${JSON.stringify(slow)}`)
    await context.close()
  })
}
