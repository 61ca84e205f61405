// For everyone: a Greek phone, a phone in dark mode that asks for less motion. Screenshots to look at.
import assert from "node:assert/strict"
import { test } from "node:test"
import { answerable, backToCategories, label, openBatch, openTask } from "./app.mjs"
import { phone, shoot, waitFor } from "./harness.mjs"

async function signedInPhone(state, name, options) {
  await openBatch(state.server.url, state.tasks.looks, 0)
  const device = await phone(state.browser, options)
  await device.page.goto(state.web.url)
  await device.page.getByTestId("invite-code").fill(state.invite)
  await device.page.getByTestId("annotator-name").fill(name)
  return device
}

export function looks(state) {
  test("a Greek phone: the whole app in Greek, long words and all", async () => {
    const { context, page } = await signedInPhone(state, "Ελένη Παπαδοπούλου", { locale: "el-GR" })
    assert.equal(await page.evaluate(() => document.documentElement.lang), "el")
    await page.getByText("Καλώς ήρθατε").waitFor()
    await shoot(page, "20-el-sign-in")
    await page.getByTestId("sign-in").tap()
    await page.getByText("Εργασίες", { exact: true }).waitFor()
    await shoot(page, "21-el-categories")
    await openTask(page, state.tasks.looks)
    await page.getByTestId("start-labelling").filter({ hasText: "Έναρξη επισήμανσης" }).waitFor()
    await shoot(page, "22-el-task")
    await page.getByTestId("start-labelling").tap()
    await label(page, 2)
    await answerable(page)
    assert.match(await page.getByTestId("saved-note").textContent(), /^Φωτογραφία 2: Όχι, αποθηκεύτηκε$/)
    await shoot(page, "23-el-labelling")
    await backToCategories(page)
    await page.getByTestId("sign-out").tap()
    await page.getByTestId("sign-out-unfinished").filter({ hasText: "2 απαντήσεις" }).waitFor()
    await shoot(page, "24-el-sign-out")
    await context.close()
  })

  test("dark mode and reduced motion follow the system", async () => {
    const { context, page } = await signedInPhone(state, "Night owl", { colorScheme: "dark", reducedMotion: "reduce" })
    const background = () => page.getByTestId("screen-sign-in").evaluate((e) => getComputedStyle(e).backgroundColor)
    assert.equal(await background(), "rgb(11, 18, 32)")
    await shoot(page, "25-dark-sign-in")
    await page.getByTestId("sign-in").tap()
    await openTask(page, state.tasks.looks)
    await shoot(page, "26-dark-task")
    await page.getByTestId("start-labelling").tap()
    // No fade: the photo is fully there the moment it has loaded.
    await answerable(page)
    assert.equal(await page.getByTestId("sample-full").evaluate((e) => getComputedStyle(e).opacity), "1")
    // The demo's photos are 28 px: drawn as their pixels, not smeared.
    const photo = page.getByTestId("sample-full-image")
    await waitFor(async () => (await photo.evaluate((e) => getComputedStyle(e).imageRendering)) === "pixelated", {
      what: "a 28 px photo drawn pixelated",
      timeoutMs: 5_000,
      everyMs: 50,
    })
    await label(page, 1)
    await page.getByTestId("previous").tap()
    await answerable(page)
    await shoot(page, "27-dark-labelling-chosen")
    await context.close()
  })
}
