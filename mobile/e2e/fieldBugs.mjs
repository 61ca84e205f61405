// Issue 12's "bugs that corrupt data", replayed as the field saw them: photos not yet loaded when
// the network went, a phone shared by several people, a double tap, a submit on a slow network, a
// batch that closed while the phone was offline, and what the screen says on reconnect.
import assert from "node:assert/strict"
import { test } from "node:test"
import { setTimeout as sleep } from "node:timers/promises"
import {
  answerable,
  answerOffline,
  backToCategories,
  counter,
  drafts,
  label,
  onTask,
  openBatch,
  openTask,
  peersAnswer,
  signIn,
  slowNetwork,
  TASK,
  tokenOf,
  watch,
} from "./app.mjs"
import { gql, shoot, waitFor } from "./harness.mjs"

const MEDIA = "**/media/**"
const total = (byKey) => Object.values(byKey).reduce((n, v) => n + v, 0)

/** Tap the middle of `locator` at once, whether the app takes it or not (a person's finger). */
async function tapAt(page, locator) {
  const box = await locator.boundingBox()
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2)
}

export function fieldBugs(state) {
  test("bug 1 + 3: no answer before the photo shows; photos retry on a tap and on reconnect; a double tap answers once", async () => {
    const { context, page } = await onTask(state, state.tasks.blind, "Field one")
    // Given the photos cannot come (the network went before they loaded)
    await context.route(MEDIA, (route) => route.abort("internetdisconnected"))
    await page.getByTestId("start-labelling").tap()
    await page.getByTestId("image-retry").waitFor()
    const yes = page.getByTestId("answer-long_sleeved")
    assert.equal(await yes.getAttribute("aria-disabled"), "true")
    // Taps on Yes without a photo are no answers.
    for (let i = 0; i < 3; i++) await tapAt(page, yes)
    await sleep(300)
    assert.equal(await counter(page), "1 / 6")
    assert.equal(total(await drafts(page)), 0)
    await shoot(page, "12-photo-failed")

    // A tap on the photo tries it again.
    await context.unroute(MEDIA)
    await page.getByTestId("image-retry").tap()
    await label(page, 1)
    assert.equal(await counter(page), "2 / 6")

    // Offline from sample 3, whose photo never loaded: the screen says so, and still takes no answer.
    await answerable(page)
    await context.route(MEDIA, (route) => route.abort("internetdisconnected"))
    await context.setOffline(true)
    await label(page, 1)
    await page.getByTestId("image-retry").waitFor()
    await page.getByTestId("connection-strip").filter({ hasText: "Offline" }).waitFor()
    await tapAt(page, yes)
    await sleep(300)
    assert.equal(await counter(page), "3 / 6")
    await shoot(page, "13-offline-labelling")

    // Back online: the photo comes by itself, at once, and the rest of the batch with it.
    await context.unroute(MEDIA)
    const back = Date.now()
    await context.setOffline(false)
    await answerable(page)
    const shownAfterMs = Date.now() - back
    assert.ok(shownAfterMs < 5_000, `the photo showed ${shownAfterMs} ms after reconnecting`)
    await page.getByTestId("connection-strip").waitFor({ state: "hidden" })

    // Bug 3: two taps 120 ms apart answer one sample; the next photo was prefetched and shows at once.
    await tapAt(page, yes)
    await sleep(120)
    await tapAt(page, yes)
    await sleep(400)
    assert.equal(await counter(page), "4 / 6")
    assert.equal(total(await drafts(page)), 3)
    await label(page, 1)
    assert.equal(await counter(page), "5 / 6")
    await context.close()
  })

  test("bug 2: a shared phone keeps each annotator's answers theirs, and sends them under no other name", async () => {
    const taskId = state.tasks.shared
    const { context, page } = await onTask(state, taskId, "Ana")
    // Ana answers 3 samples and signs out: she is told her unfinished answers go.
    await page.getByTestId("start-labelling").tap()
    await label(page, 3)
    await backToCategories(page)
    await page.getByTestId("sign-out").tap()
    await page.getByTestId("sign-out-unfinished").waitFor()
    await shoot(page, "14-sign-out-unfinished")
    await page.getByTestId("sign-out-confirm").tap()

    // Ben on the same phone starts afresh, not "Continue (3 / 5)".
    await signIn(page, "Ben", state.invite)
    await openTask(page, taskId)
    assert.equal(await page.getByTestId("start-labelling").textContent(), "Start labelling")

    // Ben answers the batch offline, and signs out with the answers unsent: he is told what becomes of them.
    await answerOffline(context, page, 5)
    await backToCategories(page)
    await page.getByTestId("sign-out").tap()
    await page.getByTestId("sign-out-unsent").waitFor()
    await shoot(page, "15-sign-out-unsent")
    await page.getByTestId("sign-out-confirm").tap()

    // Dina signs in online: Ben's answers go up as Ben's, and the batch is still Dina's to answer.
    await context.setOffline(false)
    await signIn(page, "Dina", state.invite)
    await waitFor(
      async () => {
        const { task } = await gql(state.server.url, TASK, { id: taskId })
        return task.currentBatch.samples.every((s) => s.answerCount === 1)
      },
      { what: "Ben's answers to arrive", timeoutMs: 20_000 },
    )
    const { task } = await gql(state.server.url, TASK, { id: taskId }, await tokenOf(page))
    assert.equal(task.lockedForMe, false, "Dina has not answered: nothing went up under her name")
    // What Ana was handed went back when she signed out (not 5 minutes later): Dina is handed the
    // batch at once, to answer beside Ben's answers.
    await openTask(page, taskId)
    await page.getByTestId("start-labelling").waitFor()
    await shoot(page, "15b-shared-handed-on")
    await context.close()
  })

  test("bug 4: after a submit on a slow network the task screen never offers the batch just answered", async () => {
    const { context, page } = await onTask(state, state.tasks.slow, "Slow one")
    await page.getByTestId("start-labelling").tap()
    await label(page, 5)
    await slowNetwork(context, page)
    await page.getByTestId("submit").tap()
    await page.getByTestId("screen-task").waitFor()
    const offered = await watch(() => page.getByTestId("state-open").isVisible(), 3_000)
    assert.ok(!offered.includes(true), "the batch just answered was offered again")
    await page.getByTestId("state-locked").or(page.getByTestId("state-training")).waitFor()
    await context.close()
  })

  test("bug 5 + 6: answers to a batch closed while offline are kept, and said so, the next one offered at once; on reconnect the screen and the strip agree", async () => {
    const taskId = state.tasks.closed
    const { context, page } = await onTask(state, taskId, "Away one")
    await answerOffline(context, page, 5)

    // Meanwhile the others finish the batch and the next one opens.
    await peersAnswer(state.server.url, taskId)
    const next = (await openBatch(state.server.url, taskId, 1)).currentBatch
    const back = Date.now()
    await context.setOffline(false)
    // They were given after the batch was opened (openedAt) and within minutes: the server keeps them
    // as evidence of the annotator's quality, and the app says so plainly, not as a refusal.
    const late = page.getByTestId("answers-late")
    await late.waitFor({ timeout: 10_000 })
    assert.match(
      await late.textContent(),
      /5 of your answers arrived after the crowd had decided; they still help us judge quality/,
    )
    assert.equal(await page.getByTestId("rejected").count(), 0)
    await page
      .getByText(`Batch ${next.number + 1} is ready`)
      .or(page.getByTestId("state-new-batch"))
      .waitFor()
    const offeredAfterMs = Date.now() - back
    assert.ok(offeredAfterMs < 10_000, `the open batch was offered ${offeredAfterMs} ms after reconnecting`)
    await shoot(page, "16-batch-closed-answers-late")
    await late.getByRole("button", { name: "OK" }).tap()

    // Bug 6: answers queued offline, then the network comes back.
    await answerOffline(context, page, 5)
    await context.setOffline(false)
    const text = (id) => page.getByTestId(id).textContent({ timeout: 10 })
    const seen = await watch(
      async () => ({
        panel: await text("state-locked").catch(() => ""),
        strip: await text("connection-strip").catch(() => ""),
      }),
      4_000,
    )
    for (const { panel, strip } of seen.filter((s) => s?.panel.includes("answers are in"))) {
      assert.doesNotMatch(strip, /Offline/, `"${panel}" while the strip says "${strip}"`)
      if (/reconnecting/.test(strip)) assert.match(panel, /paused/, `"${panel}" while the strip says "${strip}"`)
    }
    await page.getByTestId("state-locked").filter({ hasText: "updates by itself" }).waitFor()
    assert.equal(await page.getByTestId("connection-strip").count(), 0)
    await shoot(page, "17-reconnected")
    await context.close()
  })
}
