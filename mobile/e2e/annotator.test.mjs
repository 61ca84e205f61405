// The annotator's app in a real browser (Chromium at phone size, touch) against the real server
// (embedded default, SQLite): the day's loop, the field's bad networks and shared phones, the
// speed of tap to next photo, Greek and dark mode, enrolment by invite and a sign-in the server ends, the
// samples the server hands out. One server and one browser for all; each scenario gets its own task
// and a fresh phone.
import { after, before, describe } from "node:test"
import { createInvite, createTask } from "./app.mjs"
import { enrolment } from "./enrolment.mjs"
import { fieldBugs } from "./fieldBugs.mjs"
import { handedOut } from "./handedOut.mjs"
import {
  freePort,
  launchBrowser,
  makeDataDir,
  missingPrerequisites,
  removeDir,
  startServer,
  startWebHost,
} from "./harness.mjs"
import { liveLoop } from "./liveLoop.mjs"
import { looks } from "./looks.mjs"
import { tapToImage } from "./tapToImage.mjs"
import { viewer } from "./viewer.mjs"

const missing = missingPrerequisites()
if (missing.length) throw new Error(`e2e cannot run, missing: ${missing.join("; ")}`)

/** Each scenario's task and batch size. */
const TASKS = {
  live: 5,
  blind: 6,
  shared: 5,
  slow: 5,
  closed: 5,
  speed: 32,
  looks: 5,
  scoped: 5,
  suspended: 5,
  revoked: 5,
  handed: 5,
  zoom: 5,
  zoomWide: 5,
  zoomPhone: 5,
}

const state = { tasks: {} }

describe("annotator in the browser", () => {
  before(async () => {
    state.dataDir = await makeDataDir()
    state.apiPort = await freePort()
    state.web = await startWebHost({ port: await freePort(), upstreamPort: state.apiPort })
    state.startServer = () => startServer({ dataDir: state.dataDir, port: state.apiPort, publicUrl: state.web.url })
    state.server = await state.startServer()
    for (const [name, size] of Object.entries(TASKS)) {
      state.tasks[name] = await createTask(state.server.url, `Long sleeves? (${name})`, size)
    }
    // The server enrols annotators by invite: one for the crowd of the scenarios, every task.
    state.invite = (await createInvite(state.server.url, { maxUses: 1000, note: "e2e crowd" })).code
    Object.assign(state, await launchBrowser())
  })

  after(async () => {
    await state.close?.()
    await state.web?.close()
    await state.server?.kill()
    removeDir(state.dataDir)
  })

  // First, while nothing else runs on the server: a timing.
  tapToImage(state)
  liveLoop(state)
  fieldBugs(state)
  looks(state)
  enrolment(state)
  handedOut(state)
  viewer(state)
})
