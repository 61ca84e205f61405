// Sign in, walk to a task, label a full batch, wait locked, see the next batch arrive live; then
// lose the server during a submit and see the answers arrive once it is back.
import assert from "node:assert/strict"
import { before, test } from "node:test"
import { answerable, label, openBatch, openTask, peersAnswer, signIn, TASK } from "./app.mjs"
import { gql, phone, shoot } from "./harness.mjs"

export function liveLoop(state) {
  const my = {}
  before(async () => {
    Object.assign(my, await phone(state.browser))
    my.frames = []
    my.page.on("websocket", (ws) => ws.on("framereceived", (f) => my.frames.push(String(f.payload))))
  })

  test("signs in, labels a full batch, waits locked, and sees the next batch arrive live", async () => {
    const { page } = my
    const taskId = state.tasks.live
    await openBatch(state.server.url, taskId, 0)
    await page.goto(state.web.url)
    assert.equal(await page.getByTestId("server-url").inputValue(), state.web.url)
    await page.getByTestId("invite-code").fill(state.invite)
    await page.getByTestId("annotator-name").fill("Amina Yusuf")
    await shoot(page, "01-sign-in")
    await signIn(page, "Amina Yusuf", state.invite)
    await page.getByTestId("category-IMAGE-count").filter({ hasText: /[1-9]/ }).waitFor()
    await shoot(page, "02-categories")
    await page.getByTestId("category-IMAGE").tap()
    await shoot(page, "03-subcategories")
    await page.getByTestId("subcategory-BINARY_CLASSIFICATION").tap()
    await page.getByTestId(`task-${taskId}-waiting`).waitFor()
    await shoot(page, "04-task-list")
    await page.getByTestId("back").tap()
    await page.getByTestId("back").tap()
    await openTask(page, taskId)
    await page.getByTestId("state-open").waitFor()
    await shoot(page, "05-task")

    await page.getByTestId("start-labelling").tap()
    await label(page, 2)
    await answerable(page)
    await shoot(page, "06-labelling")
    await label(page, 3)
    await shoot(page, "07-review")
    await page.getByTestId("submit").tap()
    await page.getByTestId("state-locked").waitFor()
    await shoot(page, "08-locked")

    // When two other annotators answer the same batch through the API, the batch resolves...
    const { task } = await gql(state.server.url, TASK, { id: taskId })
    assert.ok(task.lockedForMe === false && task.currentBatch.samples.every((s) => s.answerCount === 1))
    await peersAnswer(state.server.url, taskId)
    // ...the next round trains, and the app says so without a reload.
    await page.getByTestId("state-new-batch").waitFor({ timeout: 180_000 })
    await shoot(page, "09-new-batch")
    const news = my.frames.filter((f) => f.includes('"next"') && f.includes("NewBatchAvailable"))
    assert.ok(news.length > 0, `the news came over the taskEvents subscription; frames: ${my.frames.slice(0, 3)}`)
  })

  test("keeps the answers when the server goes away during submit, and delivers them when it is back", async () => {
    const { page } = my
    const taskId = state.tasks.live
    const batch = (await openBatch(state.server.url, taskId, 1)).currentBatch
    await page.getByTestId("start-labelling").tap()
    await label(page, batch.samples.length, { keys: true })

    // Given the server is cut just before the submit...
    await state.server.kill()
    await page.getByTestId("submit").tap()
    await page.getByTestId("queued").waitFor({ timeout: 20_000 })
    await shoot(page, "10-offline-queued")

    // ...when it comes back on the same port and data, the queued answers go through by themselves.
    state.server = await state.startServer()
    await page.getByTestId("state-locked").or(page.getByTestId("state-training")).waitFor({ timeout: 90_000 })
    await shoot(page, "11-delivered")
    const { task } = await gql(state.server.url, TASK, { id: taskId })
    assert.equal(task.currentBatch.id, batch.id)
    assert.ok(
      task.currentBatch.samples.every((s) => s.answerCount === 1),
      "each sample got exactly one answer",
    )
    assert.equal(task.lockedForMe, false, "the admin is not the annotator who answered")
    await my.context.close()
  })
}
