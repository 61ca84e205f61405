// Driving the app as a person would (taps on a touch screen), and reading what it keeps on the
// device, for the browser tests.
import { setTimeout as sleep } from "node:timers/promises"
import { gql, phone, waitFor } from "./harness.mjs"

export const TASK = `query($id: ID!) { task(id: $id) { status lockedForMe labels
  currentBatch { id number samples { id answerCount state } } rounds { number } } }`
const REGISTER = `mutation($name: String!, $invite: String) { registerAnnotator(name: $name, invite: $invite) { token } }`
const INVITE = `mutation($taskIds: [ID!], $maxUses: Int!, $note: String!) {
  createInvite(taskIds: $taskIds, maxUses: $maxUses, note: $note) { code link } }`
const ME = `query { me { id } }`
const SUBMIT = `mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }`
const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`

/** A yes / no task on the demo images; `batchSize` samples a batch, two peers agree to decide one. */
export async function createTask(apiUrl, title, batchSize) {
  const { createTask } = await gql(apiUrl, CREATE, {
    input: {
      title,
      description: "Relief stores sort donated clothing. Does the garment in the photo have long sleeves?",
      category: "IMAGE",
      subcategory: "BINARY_CLASSIFICATION",
      labels: ["not_long_sleeved", "long_sleeved"],
      dataset: "fm",
      initialTrainSize: 20,
      evalSize: 20,
      testSize: 20,
      batchSize,
      minPeers: 2,
      minAgreement: 1.0,
      maxPeers: 3,
    },
  })
  return createTask.id
}

/** The task once round `round` has trained and a batch is open. */
export async function openBatch(apiUrl, taskId, round) {
  return waitFor(
    async () => {
      const { task } = await gql(apiUrl, TASK, { id: taskId })
      return task.status === "COLLECTING" && task.rounds.length > round && task.currentBatch ? task : null
    },
    // The scenarios' tasks train one after another at the start: minutes on a busy two-core machine.
    { what: `round ${round} of task ${taskId} to train and open a batch`, timeoutMs: 600_000 },
  )
}

/** An admin's invite (the server enrols annotators by invite): `{ code, link }`. */
export async function createInvite(apiUrl, { maxUses = 1, taskIds = null, note = "e2e" } = {}) {
  const { createInvite } = await gql(apiUrl, INVITE, { maxUses, taskIds, note })
  return createInvite
}

/** Register `name` through the API with `invite`; returns its token. */
export async function register(apiUrl, name, invite) {
  const { registerAnnotator } = await gql(apiUrl, REGISTER, { name, invite }, null)
  return registerAnnotator.token
}

/** The annotator id of the sign-in on `page` (asked with its own token). */
export async function annotatorOf(apiUrl, page) {
  const { me } = await gql(apiUrl, ME, {}, await tokenOf(page))
  return me.id
}

/** Two other annotators answer the task's current batch through the API (it then resolves). */
export async function peersAnswer(apiUrl, taskId) {
  const { task } = await gql(apiUrl, TASK, { id: taskId })
  const { code } = await createInvite(apiUrl, { maxUses: 2, note: "peers" })
  for (const name of ["peer-1", "peer-2"]) {
    const token = await register(apiUrl, name, code)
    const answers = task.currentBatch.samples.map((s) => ({ sampleId: s.id, label: "long_sleeved" }))
    await gql(apiUrl, SUBMIT, { t: taskId, b: task.currentBatch.id, a: answers }, token)
  }
  return task.currentBatch
}

const ASSIGNED = `query($id: ID!) { task(id: $id) { currentBatch { id assigned { id } } } }`

/** Annotators of the crowd, registered through the API: `{ name, token }` each. */
export async function crowd(apiUrl, ...names) {
  const { code } = await createInvite(apiUrl, { maxUses: names.length, note: "crowd" })
  return Promise.all(names.map(async (name) => ({ name, token: await register(apiUrl, name, code) })))
}

/** What the server hands `who` out of the task's current batch now (it keeps them for `who`): sample ids. */
export async function handOut(apiUrl, taskId, who) {
  const { task } = await gql(apiUrl, ASSIGNED, { id: taskId }, who.token)
  return task.currentBatch.assigned.map((s) => s.id)
}

/** `who` answers `sampleIds` of the task's current batch `batchId` with `label`, through the API. */
export async function answerAs(apiUrl, taskId, batchId, who, sampleIds, label = "long_sleeved") {
  const answers = sampleIds.map((sampleId) => ({ sampleId, label }))
  await gql(apiUrl, SUBMIT, { t: taskId, b: batchId, a: answers }, who.token)
}

/** Sign in on the sign-in screen as `name` with `invite` (the server address is the page's own). */
export async function signIn(page, name, invite) {
  if (invite !== undefined) await page.getByTestId("invite-code").fill(invite)
  await page.getByTestId("annotator-name").fill(name)
  await page.getByTestId("sign-in").tap()
  await page.getByTestId("screen-categories").waitFor()
}

/** A fresh phone, signed in as `name`, on the task screen of `taskId` with its first batch open. */
export async function onTask(state, taskId, name, options) {
  await openBatch(state.server.url, taskId, 0)
  const device = await phone(state.browser, options)
  await device.page.goto(state.web.url)
  await signIn(device.page, name, state.invite)
  await openTask(device.page, taskId)
  return device
}

/** Open the batch online (its photos arrive), then answer all `size` samples and submit offline. */
export async function answerOffline(context, page, size) {
  await page.getByTestId("start-labelling").tap()
  await answerable(page)
  await sleep(1_000) // the rest of the batch's photos arrive
  await context.setOffline(true)
  await label(page, size)
  await page.getByTestId("submit").tap()
  await page.getByTestId("queued").waitFor()
}

/** From the categories screen to one task's screen. */
export async function openTask(page, taskId) {
  await page.getByTestId("category-IMAGE").tap()
  await page.getByTestId("subcategory-BINARY_CLASSIFICATION").tap()
  await page.getByTestId(`task-${taskId}`).tap()
  await page.getByTestId("screen-task").waitFor()
}

/** Back (the header's button) until the categories screen. */
export async function backToCategories(page) {
  while (!(await page.getByTestId("screen-categories").isVisible())) await page.getByTestId("back").first().tap()
}

const enabledAnswer = '[role="button"][data-testid^="answer-"]:not([aria-disabled="true"])'

/** Wait until the sample on screen can be answered (its photo shown, and seen). */
export async function answerable(page) {
  await page.locator(enabledAnswer).first().waitFor()
}

/** The counter's text, e.g. "3 / 5". */
export const counter = (page) => page.getByTestId("counter").textContent()

/** Answer `count` samples from the one on screen, Yes and No in turn, checking the counter moves. */
export async function label(page, count, { keys = false } = {}) {
  for (let i = 0; i < count; i++) {
    const before = await counter(page)
    await answerable(page)
    if (keys) await page.keyboard.press(i % 2 ? "n" : "y")
    // Yes comes first, No second, whatever the language
    else
      await page
        .locator('[role="button"][data-testid^="answer-"]')
        .nth(i % 2)
        .tap()
    await waitFor(
      async () => (await counter(page).catch(() => null)) !== before || page.getByTestId("review").isVisible(),
      {
        everyMs: 20,
        what: "the next sample",
      },
    )
  }
}

/** Answers this device holds in unfinished batches, by storage key (whoever gave them). */
export async function drafts(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      Object.keys(localStorage)
        .filter((k) => k.includes("draft."))
        .map((k) => [k, JSON.parse(localStorage.getItem(k) ?? "[]").length]),
    ),
  )
}

/** The signed-in annotator's token, as the app keeps it. */
export const tokenOf = (page) => page.evaluate(() => localStorage.getItem("activecrowds.token"))

/** A 700 ms round trip for every request of `page` from now on; returns its CDP session. */
export async function slowNetwork(context, page) {
  const cdp = await context.newCDPSession(page)
  await cdp.send("Network.enable")
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 700,
    downloadThroughput: -1,
    uploadThroughput: -1,
  })
  return cdp
}

/** Keep checking `probe` for `ms`; returns every value it gave (for "never" assertions). */
export async function watch(probe, ms, everyMs = 50) {
  const seen = []
  const end = Date.now() + ms
  while (Date.now() < end) {
    seen.push(await probe().catch(() => null))
    await sleep(everyMs)
  }
  return seen
}
