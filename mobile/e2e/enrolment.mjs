// Issue 13 in the annotator's hands: signing up with an admin's invite (its link, or the code typed),
// what the sign-in says when the code is missing or no good, and a sign-in the server ends while the
// app is open (suspended on the task screen; revoked while answers wait offline).
import assert from "node:assert/strict"
import { test } from "node:test"
import {
  annotatorOf,
  answerOffline,
  backToCategories,
  createInvite,
  onTask,
  register,
  signIn,
  TASK,
  tokenOf,
  watch,
} from "./app.mjs"
import { gql, phone, shoot, waitFor } from "./harness.mjs"

const SUSPEND = `mutation($id: ID!, $reason: String!) { suspendAnnotator(id: $id, reason: $reason) { uncountedAnswers } }`
const REVOKE = `mutation($id: ID!) { revokeToken(annotatorId: $id) { status } }`

/** What the app asks of the server from now on: HTTP requests to /graphql and new live links. */
function traffic(page) {
  const seen = { requests: 0, sockets: 0 }
  page.on("request", (r) => void (r.url().includes("/graphql") && seen.requests++))
  page.on("websocket", () => void seen.sockets++)
  return seen
}

/** Answers this device keeps set aside (a refused sign-in's), whoever gave them. */
const setAside = (page) =>
  page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.endsWith(".unsent"))
      .flatMap((k) => JSON.parse(localStorage.getItem(k) ?? "[]"))
      .reduce((n, s) => n + s.answers.length, 0),
  )

/** Whether the server refuses `token` (UNAUTHENTICATED) now. */
const refused = (apiUrl, token) =>
  gql(apiUrl, "query { me { id } }", {}, token).then(
    () => false,
    (e) => /UNAUTHENTICATED/.test(String(e)),
  )

const answersOn = async (state, taskId) => {
  const { task } = await gql(state.server.url, TASK, { id: taskId })
  return task.currentBatch.samples.reduce((n, s) => n + s.answerCount, 0)
}

export function enrolment(state) {
  test("an invite link opens the app with its code filled in, and the annotator sees only the tasks it covers", async () => {
    const { code, link } = await createInvite(state.server.url, { taskIds: [state.tasks.scoped], note: "one task" })
    const { context, page } = await phone(state.browser)
    await page.goto(link)
    const field = page.getByTestId("invite-code")
    await waitFor(async () => (await field.inputValue()) === code, { what: "the link's code", timeoutMs: 10_000 })
    assert.equal(await page.getByTestId("server-url").inputValue(), state.web.url)
    await page.getByTestId("annotator-name").fill("Invited one")
    await shoot(page, "30-invite-link")
    await signIn(page, "Invited one")
    assert.doesNotMatch(page.url(), /invite=/, "the code left the address bar once used")

    // One task: the home lists it flat (My tasks), no categories to go through.
    await page.getByText("My tasks", { exact: true }).waitFor()
    await page.getByTestId(`task-${state.tasks.scoped}`).waitFor()
    assert.equal(await page.getByTestId("category-IMAGE").count(), 0)
    const listed = page.locator('[data-testid^="task-"]:not([data-testid$="-waiting"]):not([data-testid$="-left"])')
    assert.equal(await listed.count(), 1, "only the task the invite covers")
    await shoot(page, "31-invite-scoped")

    // Signed out, the used code is not offered again.
    await backToCategories(page)
    await page.getByTestId("sign-out").tap()
    await page.getByTestId("screen-sign-in").waitFor()
    assert.equal(await field.inputValue(), "")
    await context.close()
  })

  test("with a code that is no good, the sign-in says why in words; a code typed any way works", async () => {
    const { context, page } = await phone(state.browser)
    await page.goto(state.web.url)
    await page.getByTestId("annotator-name").fill("Typed one")
    const error = page.getByTestId("sign-in-error")
    const refusedFor = async (invite, words) => {
      await page.getByTestId("invite-code").fill(invite)
      await page.getByTestId("sign-in").tap()
      await error.filter({ hasText: words }).waitFor({ timeout: 10_000 })
    }
    // The e2e server's registration is open (harness.mjs), so an empty field signs up there; the
    // invite-only refusal (FORBIDDEN) is SignInScreen.test.tsx's. A code given is still checked.
    const used = await createInvite(state.server.url, { note: "used up" })
    await register(state.server.url, "First comer", used.code)
    await refusedFor(used.code, /used as many times as it allows/)
    await refusedFor("AAAA-BBBB-CCCC-DDDD", /does not know this invite code/)
    await shoot(page, "33-invite-unknown")
    assert.equal(await tokenOf(page), null)

    const fresh = await createInvite(state.server.url, { note: "typed" })
    await page.getByTestId("invite-code").fill(` ${fresh.code.toLowerCase().replaceAll("-", "")} `)
    assert.equal(await page.getByTestId("invite-code").inputValue(), fresh.code)
    await page.getByTestId("sign-in").tap()
    await page.getByTestId("screen-categories").waitFor()
    await context.close()
  })

  test("suspended on the task screen: the app says why at once, stops asking the server, and offers a new sign-up", async () => {
    const { context, page } = await onTask(state, state.tasks.suspended, "Suspended one")
    const id = await annotatorOf(state.server.url, page)
    const reason = "too many wrong answers to control questions"
    const at = Date.now()
    await gql(state.server.url, SUSPEND, { id, reason })

    // The open taskEvents subscription ends with the server's reason: no tap, no reload needed.
    const ended = page.getByTestId("access-ended")
    await ended.waitFor({ timeout: 5_000 })
    const shownAfterMs = Date.now() - at
    assert.match(await ended.textContent(), /Your account is suspended/)
    assert.match(await page.getByTestId("server-message").textContent(), new RegExp(reason))
    assert.equal(await tokenOf(page), null)
    await shoot(page, "34-suspended")
    const seen = traffic(page)
    await watch(async () => null, 4_000)
    assert.deepEqual(seen, { requests: 0, sockets: 0 }, `shown ${shownAfterMs} ms after the suspension`)

    await page.getByTestId("sign-up-again").tap()
    assert.equal(await page.getByTestId("annotator-name").inputValue(), "Suspended one")
    assert.equal(await page.getByTestId("invite-code").inputValue(), "")
    const { code } = await createInvite(state.server.url, { note: "second chance" })
    await signIn(page, "Suspended one", code)
    await context.close()
  })

  test("revoked while answers wait offline: they are not sent, the user is told, and none go up under the next sign-in", async () => {
    const taskId = state.tasks.revoked
    const { context, page } = await onTask(state, taskId, "Revoked one")
    const id = await annotatorOf(state.server.url, page)
    const token = await tokenOf(page)
    await answerOffline(context, page, 5)
    await gql(state.server.url, REVOKE, { id })
    // The server's processes forget a revoked token as its event reaches them (milliseconds
    // later), not within revokeToken's answer: the phone comes back online once it is refused.
    await waitFor(() => refused(state.server.url, token), {
      what: "the server to refuse the revoked token",
      timeoutMs: 10_000,
      everyMs: 50,
    })
    const log = []
    page.on("console", (m) => log.push(`${Date.now()} console ${m.text()}`))
    page.on("pageerror", (e) => log.push(`${Date.now()} pageerror ${e.stack ?? e}`))
    page.on("request", (r) => log.push(`${Date.now()} -> ${r.method()} ${r.url()} ${r.postData()?.slice(0, 80)}`))
    page.on("response", async (r) =>
      log.push(`${Date.now()} <- ${r.url()} ${(await r.text().catch(() => "")).slice(0, 200)}`),
    )
    page.on("requestfailed", (r) => log.push(`${Date.now()} x ${r.url()} ${r.failure()?.errorText}`))
    page.on("websocket", (ws) => {
      log.push(`${Date.now()} ws open`)
      ws.on("framereceived", (f) => log.push(`${Date.now()} ws< ${String(f.payload).slice(0, 120)}`))
      ws.on("close", () => log.push(`${Date.now()} ws closed`))
    })
    log.push(`${Date.now()} online`)
    await context.setOffline(false)

    const ended = page.getByTestId("access-ended")
    await ended.waitFor({ timeout: 15_000 }).catch(async (e) => {
      await shoot(page, "35-revoked-timeout")
      console.log(log.join("\n"))
      throw e
    })
    assert.match(await ended.textContent(), /Your sign-in is no longer valid/)
    assert.match(
      await page.getByTestId("unsent-answers").textContent(),
      /^5 answers given under this sign-in could not be sent/,
    )
    assert.equal(await answersOn(state, taskId), 0)
    assert.equal(await setAside(page), 5, "kept on the device")
    await shoot(page, "35-revoked-unsent")

    await page.getByTestId("sign-up-again").tap()
    await signIn(page, "Revoked one", state.invite)
    await watch(async () => null, 3_000)
    assert.equal(await answersOn(state, taskId), 0, "nothing sent under the new sign-in")
    await context.close()
  })
}
