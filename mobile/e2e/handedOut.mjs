// The server hands each annotator the samples it still needs from them (Batch.assigned, each kept
// for its holder for 5 minutes), so the crowd's last answers are not raced for: the app shows only
// those, and with nothing left for this annotator waits for the next batch instead.
import assert from "node:assert/strict"
import { test } from "node:test"
import { answerAs, crowd, handOut, label, onTask, openBatch, TASK } from "./app.mjs"
import { gql, shoot } from "./harness.mjs"

export function handedOut(state) {
  test("shows only the samples handed out to me; with nothing left for me, waits and takes the next batch when it opens", async () => {
    const api = state.server.url
    const taskId = state.tasks.handed
    const { task } = await gql(api, TASK, { id: taskId })
    const batch = task.currentBatch
    // Two others are handed the whole batch (two answers decide a sample); the first answers two
    // samples at once and is done, so those need only the second one's answer, which it holds.
    const [first, second, third] = await crowd(api, "Hands-1", "Hands-2", "Hands-3")
    const firstGot = await handOut(api, taskId, first)
    assert.equal(firstGot.length, 5)
    assert.equal((await handOut(api, taskId, second)).length, 5)
    await answerAs(api, taskId, batch.id, first, firstGot.slice(0, 2))

    // I am handed the other three, and the app shows those three, not the batch's five.
    const mine = await onTask(state, taskId, "Handed three")
    const open = mine.page.getByTestId("state-open")
    await open.filter({ hasText: /3 samples to label/ }).waitFor()
    await shoot(mine.page, "40-handed-three")
    await mine.page.getByTestId("start-labelling").tap()
    assert.equal(await mine.page.getByTestId("counter").textContent(), "1 / 3")
    await label(mine.page, 3)
    await mine.page.getByTestId("submit").tap()
    await mine.page.getByTestId("state-locked").waitFor()

    // Someone else now: every sample still needs one answer, from the second, who holds them all.
    const late = await onTask(state, taskId, "Nothing left")
    const waiting = late.page.getByTestId("state-waiting")
    await waiting.waitFor()
    assert.match(await waiting.textContent(), /Nothing left for you in this batch/)
    assert.equal(await late.page.getByTestId("start-labelling").count(), 0)
    await shoot(late.page, "41-nothing-left")

    // The crowd decides the batch, the next round trains: the waiting screen offers it by itself.
    const all = batch.samples.map((s) => s.id)
    await answerAs(api, taskId, batch.id, second, all)
    await answerAs(api, taskId, batch.id, third, all).catch(() => null) // decided already: refused
    await openBatch(api, taskId, 1)
    await late.page.getByTestId("state-new-batch").waitFor({ timeout: 30_000 })
    await shoot(late.page, "42-next-batch-after-waiting")
    await mine.context.close()
    await late.context.close()
  })
}
