// The task owner's day, in a real browser against the real server (embedded default, SQLite, the
// default model), the console served by the server itself: sign in from the start banner's link,
// create a task, watch round 0 train and the first batch open; annotators answer through the API
// and the batch fills up on screen; the round completes and the learning curve gains a point, all
// without a reload; the crowd's agreement per round, the pool's predictions (most certain first,
// disagreements) and a round's model downloaded; the owner invites an annotator and suspends it.
// Every page is saved under e2e/screenshots/.
import assert from "node:assert/strict"
import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import {
  clearScreenshots,
  freePort,
  gql,
  launchBrowser,
  makeDataDir,
  missingPrerequisites,
  removeDir,
  shoot,
  shootElement,
  startServer,
  zipAsClassFolders,
} from "./harness.mjs"

const missing = missingPrerequisites()
if (missing.length) throw new Error(`e2e cannot run, missing: ${missing.join("; ")}`)

const TASK = `query($id: ID!) { task(id: $id) { status rounds { number }
  currentBatch { id number status samples { id state answerCount } } } }`
// The server enrols annotators by invite only (unless started with --demo), as a real owner runs it.
const INVITE = `mutation { createInvite(maxUses: 1, note: "e2e") { code } }`
const REGISTER = `mutation($name: String!, $invite: String) { registerAnnotator(name: $name, invite: $invite) { token } }`
const SUBMIT = `mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }`
const LABELS = ["not_long_sleeved", "long_sleeved"]
const DISPUTED = `query($id: ID!) { task(id: $id) { labelledCount
  sampleConnection(state: [DISPUTED], first: 20) { edges { node { id votes { label count } } } } } }`
const PREDICTED = `query($t: ID!) { predictions(taskId: $t, state: DISPUTED) { edges { node { label sample { id } } } } }`
const ACCEPTED = `query($id: ID!, $after: String) { task(id: $id) { labelledCount
  sampleConnection(state: [ACCEPTED], first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id state resolvedLabel } } } } }`

// Every answer the simulated annotators sent, as "sampleId:label" (the export must hold each).
const state = { sent: [] }

/** Run a test body; on failure keep a screenshot of what the owner saw. */
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

/** An annotator answers every sample of the open batch, `label(i)` for the i-th. */
async function answerBatch(name, label) {
  const { task } = await gql(state.server.url, TASK, { id: state.taskId }, state.server.token)
  const { createInvite } = await gql(state.server.url, INVITE, {}, state.server.token)
  const { registerAnnotator } = await gql(state.server.url, REGISTER, { name, invite: createInvite.code })
  const batch = task.currentBatch
  const answers = batch.samples.map((s, i) => ({ sampleId: s.id, label: label(i) }))
  await gql(state.server.url, SUBMIT, { t: state.taskId, b: batch.id, a: answers }, registerAnnotator.token)
  state.sent.push(...answers.map((a) => `${a.sampleId}:${a.label}`))
  return batch
}

/** The create form's samples of `dataset`: every image loaded, with `labels` among theirs. */
async function previewsShown(page, dataset, labels) {
  const region = page.getByRole("region", { name: `Samples of ${dataset}` })
  await region.getByTestId("dataset-previews").waitFor()
  await region.scrollIntoViewIfNeeded()
  await region.locator("img").first().waitFor()
  await page.waitForFunction(
    (name) =>
      [...document.querySelectorAll(`[aria-label="Samples of ${name}"] img`)].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    dataset,
  )
  const shown = await region.locator(".preview-label").allTextContents()
  assert.deepEqual([...new Set(shown)].sort(), [...labels].sort())
}

/** A sample of the task as the API has it now, among its accepted ones. */
async function acceptedSample(id) {
  for (let after = null; ;) {
    const { task } = await gql(state.server.url, ACCEPTED, { id: state.taskId, after }, state.server.token)
    const found = task.sampleConnection.edges.find((e) => e.node.id === id)
    if (found) return { ...found.node, labelledCount: task.labelledCount }
    if (!task.sampleConnection.pageInfo.hasNextPage) return { labelledCount: task.labelledCount }
    after = task.sampleConnection.pageInfo.endCursor
  }
}

describe("the owner's console in the browser", () => {
  before(async () => {
    clearScreenshots()
    state.dataDir = await makeDataDir()
    state.server = await startServer({ dataDir: state.dataDir, port: await freePort() })
    const { page, close } = await launchBrowser()
    Object.assign(state, { page, closeBrowser: close })
  })

  after(async () => {
    await state.closeBrowser?.()
    await state.server?.stop()
    removeDir(state.dataDir)
  })

  test(
    "signs in from the banner's link, creates a task, and sees round 0 train and the first batch open",
    withScreenshotOnFailure("create", async () => {
      const { page, server } = state
      await page.goto(server.url)
      await page.getByLabel("Admin token").fill("not-the-token")
      await page.getByRole("button", { name: "Sign in" }).click()
      await page.getByText("The server does not know this token.").waitFor()
      await shoot(page, "01-sign-in-refused")

      // The banner's one-click link: signed in, and the token is out of the address bar.
      await page.goto(server.link)
      await page.getByText("No tasks yet").waitFor()
      assert.equal(new URL(page.url()).hash, "")
      await page.getByTestId("live").filter({ hasText: "Live" }).waitFor()
      await shoot(page, "02-tasks-empty")

      // Keyboard only: from the list to the form.
      await page.getByRole("link", { name: "Create the first task" }).focus()
      await page.keyboard.press("Enter")
      await page.getByRole("heading", { name: "New task" }).waitFor()
      await page.getByLabel("Title").fill("Long sleeves?")
      await page
        .getByLabel("Description")
        .fill("Relief stores sort donated clothing. Does the garment have long sleeves?")
      await page.getByLabel("Labels").fill(LABELS.join("\n"))
      await page.getByLabel("Dataset").fill("no-such-dataset")
      for (const [label, value] of [
        ["Initial training set", "20"],
        ["Batch size", "5"],
        ["Evaluation set", "20"],
        ["Test set", "20"],
        ["Minimum answers", "2"],
        ["Minimum agreement", "0.3"],
        ["Maximum answers", "3"],
      ]) {
        await page.getByLabel(label, { exact: true }).fill(value)
      }
      await page.getByRole("button", { name: "Create task" }).click()
      // The server's own message, next to the field it names.
      await page.getByTestId("error-minAgreement").filter({ hasText: "Must be in (0.5, 1]" }).waitFor()
      await shoot(page, "03-create-refused")

      await page.getByLabel("Minimum agreement").fill("1")
      await page.getByRole("button", { name: "Create task" }).click()
      await page.getByTestId("form-error").filter({ hasText: "no dataset 'no-such-dataset'" }).waitFor()
      await page.getByLabel("Dataset").fill("fm")
      await page.getByRole("button", { name: "Create task" }).click()

      await page.getByRole("heading", { name: "Long sleeves?", level: 1 }).waitFor()
      state.taskId = new URL(page.url()).pathname.split("/").pop()
      await page.evaluate(() => (window.__sameDocument = true))
      await page.getByTestId("batch-waiting").waitFor()
      await shoot(page, "04-task-training-round-0")

      // Round 0 trains in the background; its batch appears without a reload.
      await page.getByRole("heading", { name: "Batch 0" }).waitFor({ timeout: 180_000 })
      await page.locator('[data-testid="learning-curve"][data-points="1"]').waitFor()
      await page.locator(".sample img").first().waitFor()
      await page.waitForTimeout(300) // let the thumbnails paint for the screenshot
      await shoot(page, "05-task-batch-0-open")
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload")
    }),
  )

  test(
    "shows the batch filling up as annotators answer, then the next round's point on the curve",
    withScreenshotOnFailure("live", async () => {
      const { page } = state
      // Given a first annotator answers every sample...
      const batch = await answerBatch("peer-1", (i) => LABELS[i % 2])
      await page
        .getByTestId("batch-answers")
        .filter({ hasText: String(batch.samples.length) })
        .waitFor()
      await shoot(page, "06-batch-answers-in")

      // ...a second agrees on all but the first sample: the rest are accepted (2 of 2 agree)...
      await answerBatch("peer-2", (i) => LABELS[(i + (i === 0 ? 1 : 0)) % 2])
      await page
        .getByTestId("batch-accepted")
        .filter({ hasText: String(batch.samples.length - 1) })
        .waitFor()
      await shoot(page, "07-batch-mostly-decided")

      // ...and a third answer leaves the first without agreement: disputed, the batch resolves.
      await answerBatch("peer-3", (i) => LABELS[i % 2])
      await page.locator('[data-testid="batch"][data-status="RESOLVED"]').waitFor()
      await page.getByTestId("batch-disputed").filter({ hasText: "1" }).waitFor()
      await shoot(page, "08-batch-resolved-round-1-training")
      await page.locator('[data-testid="learning-curve"][data-points="2"]').waitFor({ timeout: 180_000 })
      await page.getByRole("heading", { name: "Batch 1" }).waitFor({ timeout: 60_000 })
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload")
      await page.getByTestId("stat-round").filter({ hasText: "1" }).waitFor()

      // Hovering a point shows its round's numbers.
      const dots = page.locator('[data-testid="learning-curve"] .recharts-line-dots circle')
      await page.getByTestId("learning-curve").scrollIntoViewIfNeeded()
      await dots.nth(1).hover()
      await page.getByTestId("curve-tooltip").filter({ hasText: "Round 1" }).waitFor()
      await shoot(page, "09-curve-hover-round-1", { fullPage: false })
      // So does the keyboard: focus the chart, step to a round with the arrow keys.
      await page.mouse.move(0, 0)
      await page.locator('[data-testid="learning-curve"] svg.recharts-surface[tabindex="0"]').focus()
      await page.getByTestId("curve-tooltip").filter({ hasText: "Round 0" }).waitFor()
      await page.keyboard.press("ArrowRight")
      await page.getByTestId("curve-tooltip").filter({ hasText: "Round 1" }).waitFor()

      // Any round's confusion matrix.
      await page.getByTestId("round-picker").selectOption("0")
      await page
        .getByTestId("confusion-matrix")
        .getByText(/round 0/)
        .waitFor()
      const counts = await page.getByTestId("confusion-matrix").locator("td strong").allTextContents()
      assert.equal(
        counts.map(Number).reduce((a, b) => a + b, 0),
        20,
        "the 20 test samples",
      )
    }),
  )

  test(
    "shows the crowd's agreement per round, the pool's predictions by confidence, and downloads a round's model",
    withScreenshotOnFailure("results", async () => {
      const { page } = state
      // Round 1 trained on batch 0's labels: 4 samples accepted, 1 disputed (see the test before).
      const agreement = page.getByRole("region", { name: "Crowd agreement", exact: true })
      const round1 = agreement.getByTestId("agreement-round-1")
      await round1.waitFor()
      const [, , accepted, disputed] = await round1.locator("td").allTextContents()
      assert.equal(accepted, "4")
      assert.match(disputed, /^1 /)
      await agreement.getByText(/Krippendorff's alpha: 1 when annotators always agree/).waitFor()
      await shootElement(agreement, "18-task-agreement")

      // The predictions came from round 0 when the page opened; round 1's replace them on request.
      const predictions = page.getByRole("region", { name: "Predictions", exact: true })
      const offer = predictions.getByRole("button", { name: "Show round 1's predictions" })
      await offer.waitFor()
      await shootElement(predictions.locator("header"), "19-predictions-new-round-offered")
      await offer.click()
      await predictions.getByTestId("predictions-total").filter({ hasText: "round 1's model" }).waitFor()
      const tiles = predictions.getByTestId("predictions").locator("li")
      await tiles.first().locator("img").waitFor()
      const total = Number((await predictions.getByTestId("predictions-total").textContent()).match(/^\d+/)[0])
      const confidences = (await tiles.evaluateAll((li) => li.map((el) => Number(el.dataset.confidence)))).map(Number)
      assert.equal(confidences.length, Math.min(50, total), "the first page")
      assert.deepEqual(
        confidences,
        [...confidences].sort((a, b) => b - a),
        "most certain first",
      )
      if (total > 50) {
        await predictions.getByRole("button", { name: "Load more" }).click()
        await predictions
          .getByTestId("predictions-shown")
          .filter({ hasText: `Showing ${Math.min(100, total)} of ${total}` })
          .waitFor()
      }
      await page.waitForTimeout(300) // let the thumbnails paint
      await shootElement(predictions, "20-task-predictions")

      // Only where the crowd's accepted label is not the model's: each flagged, or none at all.
      await predictions.getByTestId("disagreements-only").check()
      await predictions
        .getByTestId("predictions")
        .or(predictions.getByText("No prediction matches these filters"))
        .waitFor()
      await page.waitForFunction(() => !document.querySelector('[data-testid="predictions"][data-busy="true"]'))
      const flags = await predictions.locator("li.prediction").evaluateAll((li) => li.map((el) => el.dataset.disagrees))
      assert.ok(
        flags.every((f) => f === "true"),
        "every tile shown disagrees",
      )
      await shootElement(predictions, "21-predictions-disagreements")
      await predictions.getByTestId("disagreements-only").uncheck()

      // The round's model, fetched with the admin's token and saved under the task's name.
      const models = page.getByRole("region", { name: "Models", exact: true })
      for (const format of ["ONNX", "WEIGHTS"]) {
        const [download] = await Promise.all([
          page.waitForEvent("download", { timeout: 120_000 }),
          models.getByTestId(`download-1-${format}`).click(),
        ])
        assert.match(download.suggestedFilename(), new RegExp(`^long-sleeves-task-${state.taskId}-round-1-`))
        const path = await download.path()
        assert.ok(statSync(path).size > 1000, `the ${format} file has bytes`)
        await models.getByTestId("download-status").filter({ hasText: "Saved round 1's" }).waitFor()
      }
      await shootElement(models, "22-task-models-downloaded")
    }),
  )

  test(
    "decides a disputed sample from the console and it counts, fixes its label in the grid, exports every answer",
    withScreenshotOnFailure("review", async () => {
      const { page, server } = state
      // Batch 0's first sample was left disputed (see the live test): 2 votes against 1.
      const before = await gql(server.url, DISPUTED, { id: state.taskId }, server.token)
      const [first] = before.task.sampleConnection.edges
      assert.ok(first, "a disputed sample")
      const sampleId = first.node.id
      const panel = page.getByRole("region", { name: "Disputed samples", exact: true })
      const item = panel.getByTestId(`disputed-${sampleId}`)
      await item.locator("img").waitFor()
      const votes = await item.locator(".votes .num").evaluateAll((nums) => nums.map((n) => n.firstChild.textContent))
      assert.deepEqual(
        votes.map(Number),
        LABELS.map((l) => first.node.votes.find((v) => v.label === l)?.count ?? 0),
        "the votes per label, as the API counts them",
      )
      await page.waitForTimeout(300) // let the thumbnail paint
      await shootElement(panel, "23-task-disputed")

      // The owner gives it the label the model does not predict (to fix it below), by keyboard.
      const { predictions } = await gql(server.url, PREDICTED, { t: state.taskId }, server.token)
      const predicted = predictions.edges.find((e) => e.node.sample.id === sampleId)?.node.label
      assert.ok(predicted, "the model's prediction of the disputed sample")
      const other = LABELS.find((l) => l !== predicted)
      await item.getByRole("button", { name: `Label sample ${sampleId} ${other}` }).focus()
      await page.keyboard.press("Enter")
      await panel
        .getByTestId("disputed-status")
        .filter({ hasText: `Sample ${sampleId} is now labelled ${other}: it trains from the next round on.` })
        .waitFor()
      await panel.getByText("No disputed samples").waitFor()
      await shootElement(panel, "24-task-disputed-decided")

      // It counts: accepted with the owner's label, one more label for the next round to train on.
      const decided = await acceptedSample(sampleId)
      assert.equal(decided.state, "ACCEPTED")
      assert.equal(decided.resolvedLabel, other)
      assert.equal(decided.labelledCount, before.task.labelledCount + 1)
      await page
        .getByTestId("stat-labelled")
        .filter({ hasText: String(decided.labelledCount) })
        .waitFor()

      // Now the crowd's (the owner's) label and the model disagree: the grid flags it, and the
      // owner fixes it there to the model's label.
      const grid = page.getByRole("region", { name: "Predictions", exact: true })
      await grid.getByTestId("disagreements-only").check()
      const tile = grid.getByTestId(`prediction-${sampleId}`)
      await grid.locator(`[data-testid="prediction-${sampleId}"][data-disagrees="true"]`).waitFor()
      await tile.getByRole("button", { name: `Fix sample ${sampleId}'s label` }).click()
      await tile.getByRole("group", { name: `Sample ${sampleId}'s label` }).waitFor()
      await page.waitForTimeout(300) // let the thumbnail paint
      await shootElement(grid, "25-predictions-fix-label")
      await tile.getByRole("button", { name: `Label sample ${sampleId} ${predicted}` }).click()
      await grid
        .getByTestId("fix-status")
        .filter({ hasText: `Sample ${sampleId} is now labelled ${predicted}` })
        .waitFor()
      await tile.waitFor({ state: "detached" })
      await grid.getByTestId("disagreements-only").uncheck()
      const fixed = await acceptedSample(sampleId)
      assert.equal(fixed.resolvedLabel, predicted)
      assert.equal(fixed.labelledCount, decided.labelledCount, "a corrected label is no new label")

      // The export, fetched with the admin's token, holds every answer sent and the owner's label.
      const card = page.getByRole("region", { name: "Export", exact: true })
      const [download] = await Promise.all([page.waitForEvent("download"), card.getByTestId("export-jsonl").click()])
      assert.equal(download.suggestedFilename(), `long-sleeves-task-${state.taskId}-labels.jsonl`)
      const records = readFileSync(await download.path(), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
      assert.equal(records.length, 200, "every sample of the dataset")
      const exported = records.flatMap((r) => r.answers.map((a) => `${r.sample_id}:${a.label}`))
      assert.deepEqual(exported.sort(), [...state.sent].sort(), "every answer, once")
      assert.equal(records.find((r) => String(r.sample_id) === sampleId).label, predicted)
      await card.getByTestId("export-status").filter({ hasText: "Saved the JSONL export as" }).waitFor()
      await shootElement(card, "26-task-export-saved")
    }),
  )

  test(
    "creates an invite, sees the annotator who registered with it, and suspends it",
    withScreenshotOnFailure("crowd", async () => {
      const { page, server } = state
      await page.getByRole("link", { name: "Crowd", exact: true }).click()
      await page.getByText("peer-3").waitFor()
      await page.getByRole("link", { name: "Invites", exact: true }).click()
      await page.getByLabel("Registrations it allows").fill("2")
      await page.getByLabel("Note").fill("Shelter team")
      await page.getByRole("button", { name: "Create invite" }).click()
      const code = await page.getByTestId("invite-code").inputValue()
      const link = await page.getByTestId("invite-link").inputValue()
      assert.match(code, /\S{4}$/)
      assert.equal(link, `${server.url}/app/?invite=${encodeURIComponent(code)}`)
      await page.getByRole("img", { name: "QR code of the invite link" }).waitFor()
      await shoot(page, "15-crowd-invite-created")

      // Given someone registers in the app with that code and answers the open batch...
      const { registerAnnotator } = await gql(server.url, REGISTER, { name: "crowd-e2e", invite: code })
      const { task } = await gql(server.url, TASK, { id: state.taskId }, server.token)
      const batch = task.currentBatch
      const answers = batch.samples.map((s) => ({ sampleId: s.id, label: LABELS[0] }))
      await gql(server.url, SUBMIT, { t: state.taskId, b: batch.id, a: answers }, registerAnnotator.token)

      // ...the code is gone once dismissed, and the list counts the use.
      await page.getByRole("button", { name: "Done: I have shared it" }).click()
      assert.equal(await page.getByTestId("invite-code").count(), 0)
      const row = page.getByRole("row").filter({ hasText: "Shelter team" })
      await row.filter({ hasText: "1 / 2" }).waitFor({ timeout: 30_000 })
      assert.equal(await page.getByText(code).count(), 0, "the list shows only the code's last characters")

      // The owner suspends it, told first what happens, then what changed.
      await page.getByRole("link", { name: "Annotators", exact: true }).click()
      const annotator = page.getByRole("row").filter({ hasText: "crowd-e2e" })
      await annotator.filter({ hasText: "Active" }).waitFor()
      await annotator.getByRole("button", { name: "Suspend crowd-e2e" }).click()
      const dialog = page.getByRole("alertdialog", { name: "Suspend crowd-e2e?" })
      await dialog.getByText("labels already decided with its answers stay as they are").waitFor()
      await dialog.getByLabel("Reason").fill("answers everything with one label")
      await shoot(page, "16-crowd-suspend-confirm", { fullPage: false })
      await dialog.getByRole("button", { name: "Suspend" }).click()
      await page
        .getByTestId("crowd-notice")
        .filter({ hasText: `crowd-e2e is suspended. ${answers.length} answers on open samples no longer count` })
        .waitFor()
      await annotator.filter({ hasText: "Suspended" }).waitFor()
      await annotator.getByText("answers everything with one label").waitFor()
      await shoot(page, "17-crowd-annotator-suspended")
      await assert.rejects(
        gql(server.url, SUBMIT, { t: state.taskId, b: batch.id, a: answers }, registerAnnotator.token),
        "a suspended annotator's token no longer works",
      )
      await page.goto(`${server.url}/tasks/${state.taskId}`)
      await page.getByRole("heading", { name: "Long sleeves?", level: 1 }).waitFor()
    }),
  )

  test(
    "lists the task with its numbers, changes a setting, and deletes after asking",
    withScreenshotOnFailure("manage", async () => {
      const { page } = state
      await page.getByRole("button", { name: "Switch to dark mode" }).click()
      await shoot(page, "10-task-dark")
      await page.getByRole("button", { name: "Switch to light mode" }).click()

      await page.setViewportSize({ width: 820, height: 1180 })
      await shoot(page, "11-task-tablet")
      await page.setViewportSize({ width: 1280, height: 800 })

      await page.getByLabel("Batch size").fill("8")
      await page.getByRole("button", { name: "Save changes" }).click()
      await page.getByText(/^Saved\./).waitFor()

      await page.getByRole("link", { name: "Tasks", exact: true }).click()
      const row = page.getByTestId(`task-${state.taskId}`)
      await row.getByRole("progressbar").waitFor()
      await shoot(page, "12-tasks-list")

      await row.getByRole("link", { name: "Long sleeves?" }).click()
      await page.getByRole("button", { name: "Delete task…" }).click()
      await page.getByRole("alertdialog").waitFor()
      await shoot(page, "13-delete-confirm", { fullPage: false })
      await page.getByRole("button", { name: "Delete for good" }).click()
      await page.getByText("No tasks yet").waitFor()
    }),
  )

  test(
    "serves the annotator app at /app/, pointed at this server",
    withScreenshotOnFailure("app", async () => {
      const { page, server } = state
      const response = await page.goto(`${server.url}/app/`)
      assert.equal(response.status(), 200)
      await page.getByTestId("annotator-name").waitFor()
      assert.equal(await page.getByTestId("server-url").inputValue(), server.url)
      await shoot(page, "14-annotator-app")
    }),
  )

  test(
    "uploads a dataset with a progress bar and creates a task on it from the form",
    withScreenshotOnFailure("upload", async () => {
      const { page, server } = state
      const zip = await zipAsClassFolders(join(state.dataDir, "datasets", "fm"), join(state.dataDir, "fm-upload.zip"))
      await page.goto(`${server.url}/tasks/new`)
      await page.getByRole("heading", { name: "New task" }).waitFor()
      await page.getByLabel("Upload a new one").setInputFiles(zip)
      assert.equal(await page.getByLabel("Its name").inputValue(), "fm-upload")
      await page.getByTestId("upload-dataset").click()
      await page.getByTestId("upload-status").filter({ hasText: "Uploaded fm-upload:" }).waitFor({ timeout: 60_000 })
      // Picked at once, the form filled from it, and listed by the server.
      assert.equal(await page.getByLabel("Dataset", { exact: true }).inputValue(), "fm-upload")
      await page.locator('select[name="pickDataset"] option[value="fm-upload"]').waitFor({ state: "attached" })
      assert.equal(await page.getByLabel("On this server").inputValue(), "fm-upload")
      const labelled = Number(await page.getByTestId("dataset-labelled").textContent())
      const pool = Number(await page.getByTestId("dataset-pool").textContent())
      assert.equal(labelled + pool, 200, "every image of the zip")
      assert.deepEqual((await page.getByLabel("Labels").inputValue()).split("\n").sort(), [...LABELS].sort())
      // Before creating: a few of its photos, each with its label, the pool's unlabelled.
      await previewsShown(page, "fm-upload", [...LABELS, "unlabelled"])
      await shoot(page, "27-create-uploaded-dataset")
      // The same for a dataset picked from the server's list, then back to the uploaded one.
      await page.getByLabel("On this server").selectOption("fm")
      await previewsShown(page, "fm", [...LABELS, "unlabelled"])
      await page.getByLabel("On this server").selectOption("fm-upload")
      await previewsShown(page, "fm-upload", [...LABELS, "unlabelled"])
      await page.getByRole("button", { name: "Switch to dark mode" }).click()
      await shootElement(page.getByRole("group", { name: "Data" }), "28-create-data-dark")
      await page.getByRole("button", { name: "Switch to light mode" }).click()

      await page.getByLabel("Title").fill("Uploaded sleeves")
      for (const [label, value] of [
        ["Initial training set", "20"],
        ["Batch size", "5"],
        ["Evaluation set", "20"],
        ["Test set", "20"],
        ["Minimum answers", "2"],
        ["Minimum agreement", "1"],
        ["Maximum answers", "3"],
        ["Label budget", "40"],
      ]) {
        await page.getByLabel(label, { exact: true }).fill(value)
      }
      await page.getByRole("button", { name: "Create task" }).click()
      await page.getByRole("heading", { name: "Uploaded sleeves", level: 1 }).waitFor()
      const id = new URL(page.url()).pathname.split("/").pop()
      const { task } = await gql(
        server.url,
        `query($id: ID!) { task(id: $id) { scenario { labelBudget } } }`,
        { id },
        server.token,
      )
      assert.equal(task.scenario.labelBudget, 40)
      assert.equal(await page.locator('input[name="labelBudget"]').inputValue(), "40")
    }),
  )

  test(
    "lists each task's batch progress in one request of modest cost, and reads well on a tablet and a laptop",
    withScreenshotOnFailure("sizes", async () => {
      // From the page the last test left open (the new task's): a full page load here showed a
      // blank page in two runs, not yet understood (see the report of this change).
      const { page } = state
      const listRead = page.waitForResponse(
        (r) => r.url().includes("/graphql") && (r.request().postData() ?? "").includes("TaskList"),
      )
      await page.getByRole("link", { name: "Tasks", exact: true }).click()
      const body = await (await listRead).json()
      const { tasks } = body.data
      const cost = body.extensions?.cost
      if (cost) {
        // Measured for the 100 tasks a list may hold: well within one request's budget.
        console.log(`TaskList cost: ${cost.requested} of ${cost.maxPerRequest}`)
        assert.ok(cost.requested <= cost.maxPerRequest / 2, `TaskList asks for ${cost.requested} nodes`)
      }
      for (const task of tasks) {
        const row = page.getByTestId(`task-${task.id}`)
        if (task.currentBatch?.status === "OPEN") {
          await row.getByText(/\d+ \/ \d+ decided/).waitFor()
        } else {
          await row.getByTestId(`batch-${task.id}`).waitFor()
        }
      }
      const id = tasks[0].id
      for (const [width, height, size] of [
        [820, 1180, "tablet"],
        [1280, 800, "laptop"],
      ]) {
        await page.setViewportSize({ width, height })
        await page.getByRole("link", { name: "Tasks", exact: true }).click()
        await page.getByTestId(`task-${id}`).waitFor()
        await shoot(page, `30-tasks-${size}`)
        await page.getByTestId(`task-${id}`).getByRole("link", { name: tasks[0].title }).click()
        await page.getByRole("heading", { name: tasks[0].title, level: 1 }).waitFor()
        await shoot(page, `31-task-${size}`)
        await page.getByRole("link", { name: "Tasks", exact: true }).click()
        await page.getByRole("link", { name: "New task" }).first().click()
        await page.getByRole("heading", { name: "New task" }).waitFor()
        await page.locator('select[name="pickDataset"] option[value="fm"]').waitFor({ state: "attached" })
        await page.getByLabel("On this server").selectOption("fm")
        await previewsShown(page, "fm", [...LABELS, "unlabelled"])
        await shoot(page, `32-create-${size}`)
      }
    }),
  )
})
