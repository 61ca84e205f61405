// The annotator's day, in a real browser against the real server (embedded default, SQLite):
// sign in, walk to a task, label a full batch, wait locked, see the next batch arrive live; then
// lose the server during a submit and see the answers arrive once it is back.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import {
  freePort,
  gql,
  launchPhone,
  makeDataDir,
  missingPrerequisites,
  removeDir,
  shoot,
  startServer,
  startWebHost,
  waitFor,
} from "./harness.mjs"

const missing = missingPrerequisites()
if (missing.length) throw new Error(`e2e cannot run, missing: ${missing.join("; ")}`)

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`
const TASK = `query($id: ID!) { task(id: $id) { status lockedForMe labels
  currentBatch { id number samples { id answerCount state } } rounds { number } } }`
const REGISTER = `mutation($name: String!) { registerAnnotator(name: $name) { token } }`
const SUBMIT = `mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) { submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }`

const state = {}

/** Run a test body; on failure keep a screenshot of what the user saw. */
function withScreenshotOnFailure(name, body) {
  return async () => {
    try {
      await body()
    } catch (error) {
      await shoot(state.page, `failed-${name}`).catch(() => {})
      throw error
    }
  }
}

/** The task's open batch once round `round` has trained. */
async function openBatch(apiUrl, taskId, round) {
  return waitFor(
    async () => {
      const { task } = await gql(apiUrl, TASK, { id: taskId })
      return task.status === "COLLECTING" && task.rounds.length > round && task.currentBatch ? task : null
    },
    { what: `round ${round} to train and open a batch`, timeoutMs: 180_000 },
  )
}

/** Answer each sample, Yes and No in turn (big buttons, or the y / n keys), checking the counter. */
async function labelBatch(page, size, shotAt, { keys = false } = {}) {
  for (let i = 0; i < size; i++) {
    await page
      .getByTestId("counter")
      .filter({ hasText: `${i + 1} / ${size}` })
      .waitFor()
    await page.getByTestId("sample-image").locator("img").first().waitFor({ state: "attached" })
    if (i === shotAt) {
      await page.waitForTimeout(400) // let the image fade in for the screenshot
      await shoot(page, "06-labelling")
    }
    // The answers wait until the photo is on screen (and has been for a moment).
    await page.locator('[data-testid^="answer-"]:not([aria-disabled="true"])').first().waitFor()
    if (keys) await page.keyboard.press(i % 2 ? "n" : "y")
    else await page.getByRole("button", { name: i % 2 ? /^No/ : /^Yes/ }).click()
  }
  await page.getByTestId("review").waitFor()
}

describe("annotator in the browser", () => {
  before(async () => {
    state.dataDir = await makeDataDir()
    state.apiPort = await freePort()
    state.server = await startServer({ dataDir: state.dataDir, port: state.apiPort })
    const { createTask } = await gql(state.server.url, CREATE, {
      input: {
        title: "Long sleeves?",
        description: "Relief stores sort donated clothing. Does the garment in the photo have long sleeves?",
        category: "IMAGE",
        subcategory: "BINARY_CLASSIFICATION",
        labels: ["not_long_sleeved", "long_sleeved"],
        dataset: "fm",
        initialTrainSize: 20,
        evalSize: 20,
        testSize: 20,
        batchSize: 5,
        minPeers: 2,
        minAgreement: 1.0,
        maxPeers: 3,
      },
    })
    state.taskId = createTask.id
    await openBatch(state.server.url, state.taskId, 0)
    state.web = await startWebHost({ port: await freePort(), upstreamPort: state.apiPort })
    const { page, close } = await launchPhone()
    Object.assign(state, { page, closeBrowser: close, frames: [] })
    page.on("websocket", (ws) => ws.on("framereceived", (f) => state.frames.push(String(f.payload))))
  })

  after(async () => {
    await state.closeBrowser?.()
    await state.web?.close()
    await state.server?.kill()
    removeDir(state.dataDir)
  })

  test(
    "signs in, labels a full batch, waits locked, and sees the next batch arrive live",
    withScreenshotOnFailure("live", async () => {
      const { page, web } = state
      await page.goto(web.url)
      await page.getByTestId("annotator-name").fill("Amina Yusuf")
      assert.equal(await page.getByTestId("server-url").inputValue(), web.url)
      await shoot(page, "01-sign-in")
      await page.getByTestId("sign-in").click()

      await page.getByTestId("category-IMAGE-count").filter({ hasText: "1" }).waitFor()
      await shoot(page, "02-categories")
      await page.getByTestId("category-IMAGE").click()
      await page.getByTestId("subcategory-BINARY_CLASSIFICATION-count").filter({ hasText: "1" }).waitFor()
      await shoot(page, "03-subcategories")
      await page.getByTestId("subcategory-BINARY_CLASSIFICATION").click()
      await page.getByTestId(`task-${state.taskId}-waiting`).waitFor()
      await shoot(page, "04-task-list")
      await page.getByTestId(`task-${state.taskId}`).click()
      await page.getByTestId("state-open").waitFor()
      await shoot(page, "05-task")

      await page.getByTestId("start-labelling").click()
      await labelBatch(page, 5, 2)
      await shoot(page, "07-review")
      await page.getByTestId("submit").click()
      await page.getByTestId("state-locked").waitFor()
      await shoot(page, "08-locked")

      // When two other annotators answer the same batch through the API, the batch resolves...
      const { task } = await gql(state.server.url, TASK, { id: state.taskId })
      assert.ok(task.lockedForMe === false && task.currentBatch.samples.every((s) => s.answerCount === 1))
      for (const name of ["peer-1", "peer-2"]) {
        const { registerAnnotator } = await gql(state.server.url, REGISTER, { name }, null)
        const answers = task.currentBatch.samples.map((s) => ({ sampleId: s.id, label: "long_sleeved" }))
        await gql(
          state.server.url,
          SUBMIT,
          { t: state.taskId, b: task.currentBatch.id, a: answers },
          registerAnnotator.token,
        )
      }
      // ...the next round trains, and the app says so without a reload.
      await page.getByTestId("state-new-batch").waitFor({ timeout: 180_000 })
      await shoot(page, "09-new-batch")
      const news = state.frames.filter((f) => f.includes('"next"') && f.includes("NewBatchAvailable"))
      assert.ok(
        news.length > 0,
        `the news came over the taskEvents subscription; frames seen: ${state.frames.slice(0, 3).join(" | ")}`,
      )
    }),
  )

  test(
    "keeps the answers when the server goes away during submit, and delivers them when it is back",
    withScreenshotOnFailure("offline", async () => {
      const { page } = state
      const batch = (await openBatch(state.server.url, state.taskId, 1)).currentBatch
      await page.getByTestId("start-labelling").click()
      await labelBatch(page, batch.samples.length, -1, { keys: true })

      // Given the server is cut just before the submit...
      await state.server.kill()
      await page.getByTestId("submit").click()
      await page.getByTestId("queued").waitFor({ timeout: 20_000 })
      await shoot(page, "10-offline-queued")

      // ...when it comes back on the same port and data, the queued answers go through by themselves.
      state.server = await startServer({ dataDir: state.dataDir, port: state.apiPort })
      await page.getByTestId("state-locked").or(page.getByTestId("state-training")).waitFor({ timeout: 90_000 })
      await shoot(page, "11-delivered")
      const { task } = await gql(state.server.url, TASK, { id: state.taskId })
      assert.equal(task.currentBatch.id, batch.id)
      assert.ok(
        task.currentBatch.samples.every((s) => s.answerCount === 1),
        "each sample got exactly one answer",
      )
      assert.equal(task.lockedForMe, false, "the admin is not the annotator who answered")
    }),
  )
})
