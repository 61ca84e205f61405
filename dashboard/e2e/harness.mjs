// Helpers for the console's browser tests: the real server (which serves the built console),
// GraphQL calls from the test, and Debian's Chromium through playwright-core.
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { chromium } from "playwright-core"

export const DASHBOARD = resolve(import.meta.dirname, "..")
export const REPO = resolve(DASHBOARD, "..")
export const SCREENSHOTS = join(DASHBOARD, "e2e", "screenshots")
const CLI = process.env.ACTIVECROWDS_BIN ?? join(REPO, ".venv", "bin", "activecrowds")
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

/** What the e2e needs; a missing piece is named so the failure says what to do. */
export function missingPrerequisites() {
  const missing = []
  if (!existsSync(CLI)) missing.push(`${CLI} (the Python venv with the activecrowds command)`)
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install -y chromium)`)
  if (!existsSync(join(DASHBOARD, "dist", "index.html")))
    missing.push("dashboard/dist (bash dashboard/scripts/build.sh)")
  return missing
}

/** A TCP port nobody listens on right now. */
export async function freePort() {
  const server = createServer()
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok))
  const { port } = server.address()
  await new Promise((ok) => server.close(ok))
  return port
}

/** Run the activecrowds CLI to completion. */
async function cli(args) {
  const child = spawn(CLI, args, { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout.on("data", (d) => (out += d))
  child.stderr.on("data", (d) => (out += d))
  const code = await new Promise((ok) => child.on("exit", ok))
  if (code !== 0) throw new Error(`activecrowds ${args.join(" ")} failed (${code}):\n${out}`)
}

// A dataset folder (the demo's manifests) as an upload: one folder per label, unlabelled/ for the pool.
const ZIP_AS_CLASS_FOLDERS = `
import json, os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for manifest, folder in (("labelled.jsonl", None), ("pool.jsonl", "unlabelled")):
        for line in open(os.path.join(src, manifest)):
            r = json.loads(line)
            z.write(os.path.join(src, r["file"]), f"{folder or r['label']}/{os.path.basename(r['file'])}")
`

/** The dataset folder `src` zipped as a user would upload it, at `out`. */
export async function zipAsClassFolders(src, out) {
  const python = join(REPO, ".venv", "bin", "python")
  const child = spawn(python, ["-c", ZIP_AS_CLASS_FOLDERS, src, out], { stdio: ["ignore", "ignore", "pipe"] })
  let err = ""
  child.stderr.on("data", (d) => (err += d))
  const code = await new Promise((ok) => child.on("exit", ok))
  if (code !== 0) throw new Error(`zipping ${src} failed:\n${err}`)
  return out
}

/** A fresh data dir holding a small real image dataset named `fm` (Fashion-MNIST, from the demo command). */
export async function makeDataDir() {
  const dataDir = mkdtempSync(join(tmpdir(), "ac-console-e2e-"))
  await cli(["dataset", "demo", "--size", "200", "--labelled", "80", join(dataDir, "datasets", "fm")])
  return dataDir
}

/**
 * `activecrowds serve` on `port`, as `make run` starts it (embedded default, a generated admin
 * token); resolves once /healthz answers, with the start banner's console link.
 */
export async function startServer({ dataDir, port }) {
  const env = { ...process.env, ACTIVECROWDS_DATA_DIR: dataDir }
  delete env.ACTIVECROWDS_ADMIN_TOKEN
  const child = spawn(CLI, ["serve", "--port", String(port)], { env, stdio: ["ignore", "pipe", "pipe"] })
  let log = ""
  child.stdout.on("data", (d) => (log += d))
  child.stderr.on("data", (d) => (log += d))
  const exited = new Promise((ok) => child.on("exit", ok))
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i > 240) throw new Error(`server did not start:\n${log}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  const link = log.match(/^console: (\S+#token=\S+)/m)?.[1]
  if (!link) throw new Error(`the start banner has no console link:\n${log}`)
  return {
    url: `http://127.0.0.1:${port}`,
    link,
    token: new URL(link).hash.replace("#token=", ""),
    log: () => log,
    async stop() {
      if (child.exitCode === null) child.kill("SIGKILL")
      await exited
    },
  }
}

/** POST a GraphQL operation; returns data, throws on errors. */
export async function gql(baseUrl, query, variables, token) {
  const headers = { "content-type": "application/json" }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  })
  const body = await response.json()
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors))
  return body.data
}

/** Poll `probe` until it returns something truthy. */
export async function waitFor(probe, { timeoutMs = 120_000, everyMs = 500, what = "condition" } = {}) {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => null)
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** Headless Debian Chromium with a fresh profile, at a laptop's size. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "ac-console-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const close = async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  }
  return { context, page, close }
}

export function removeDir(path) {
  if (path) rmSync(path, { recursive: true, force: true })
}

/** Start the run with no screenshots of an earlier one. */
export function clearScreenshots() {
  rmSync(SCREENSHOTS, { recursive: true, force: true })
  mkdirSync(SCREENSHOTS, { recursive: true })
}

/**
 * Save a screenshot to e2e/screenshots/<name>.png: the whole page from its top (a page scrolled
 * down would show its sticky header mid-page), or just what is in view (a hover, a dialog).
 */
export async function shoot(page, name, { fullPage = true } = {}) {
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage })
}

/**
 * Save a screenshot of one part of the page (a card): cut from the whole page taken from its top,
 * so that the sticky header does not land across a card taller than the window.
 */
export async function shootElement(locator, name) {
  await locator.page().evaluate(() => window.scrollTo(0, 0))
  const box = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect()
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height }
  })
  await locator.page().screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, clip: box })
}
