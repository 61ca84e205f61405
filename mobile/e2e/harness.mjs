// Helpers for the browser tests: the real server, a static host for the web build that forwards
// /graphql (HTTP and WebSocket) and /media to it, GraphQL calls from the test, and Chromium.
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer, request as httpRequest } from "node:http"
import { connect, createServer as createNetServer } from "node:net"
import { tmpdir } from "node:os"
import { extname, join, resolve } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { chromium } from "playwright-core"

export const MOBILE = resolve(import.meta.dirname, "..")
export const REPO = resolve(MOBILE, "..")
export const SCREENSHOTS = join(MOBILE, "e2e", "screenshots")
const CLI = process.env.ACTIVECROWDS_BIN ?? join(REPO, ".venv", "bin", "activecrowds")
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
export const ADMIN_TOKEN = "e2e-admin-token"

/** A TCP port nobody listens on right now. */
export async function freePort() {
  const server = createNetServer()
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok))
  const { port } = server.address()
  await new Promise((ok) => server.close(ok))
  return port
}

/** What the e2e needs from the repo; a missing piece is named so the report can say what it waits on. */
export function missingPrerequisites() {
  const missing = []
  if (!existsSync(CLI)) missing.push(`${CLI} (the Python venv with the activecrowds command)`)
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install -y chromium)`)
  if (!existsSync(join(MOBILE, "dist", "index.html"))) missing.push("mobile/dist (npm run build:web)")
  return missing
}

/** Run the activecrowds CLI to completion. */
export async function cli(args, env) {
  const child = spawn(CLI, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout.on("data", (d) => (out += d))
  child.stderr.on("data", (d) => (out += d))
  const code = await new Promise((ok) => child.on("exit", ok))
  if (code !== 0) throw new Error(`activecrowds ${args.join(" ")} failed (${code}):\n${out}`)
  return out
}

/** A fresh data dir holding a small real image dataset (Fashion-MNIST, from the demo command). */
export async function makeDataDir() {
  const dataDir = mkdtempSync(join(tmpdir(), "ac-e2e-"))
  await cli(["dataset", "demo", "--size", "200", "--labelled", "80", join(dataDir, "datasets", "fm")], {})
  return dataDir
}

/**
 * `activecrowds serve` on `port` with `dataDir`; resolves once /healthz answers. `publicUrl` is
 * where the browser reaches it (the web host): the server signs media URLs under that address.
 */
export async function startServer({ dataDir, port, publicUrl }) {
  const env = {
    ...process.env,
    ACTIVECROWDS_DATA_DIR: dataDir,
    ACTIVECROWDS_ADMIN_TOKEN: ADMIN_TOKEN,
    // One machine plays a whole crowd from one address: the per-address limit would stop it.
    ACTIVECROWDS_REGISTRATIONS_PER_MINUTE: "1000",
    // The browser tests sign up as a person would on an open server; enrolment by invite has
    // its own tests (server, console).
    ACTIVECROWDS_OPEN_REGISTRATION: "1",
    ...(publicUrl ? { ACTIVECROWDS_PUBLIC_URL: publicUrl } : {}),
  }
  const child = spawn(CLI, ["serve", "--port", String(port)], { env, stdio: ["ignore", "pipe", "pipe"] })
  let log = ""
  child.stdout.on("data", (d) => (log += d))
  child.stderr.on("data", (d) => (log += d))
  const exited = new Promise((ok) => child.on("exit", ok))
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    /** Stop it hard, as a crash or a cut cable would. */
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL")
      await exited
    },
  }
}

/** POST a GraphQL operation; returns data, throws on errors. */
export async function gql(baseUrl, query, variables = {}, token = ADMIN_TOKEN) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "authorization": `Bearer ${token}` },
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

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".ttf": "font/ttf",
}
const FORWARDED = /^\/(graphql|media|healthz)(\/|\?|$)/

/**
 * Serves mobile/dist and forwards API paths to `upstreamPort`, keeping the browser's Host header so
 * the server's signed media URLs point back here. With the server down it answers 502, as a proxy would.
 */
export async function startWebHost({ port, upstreamPort }) {
  const dist = join(MOBILE, "dist")
  const server = createServer((req, res) => {
    if (FORWARDED.test(req.url)) return forward(req, res, upstreamPort)
    const path = join(dist, decodeURIComponent(req.url.split("?")[0]))
    const file = path.startsWith(dist) && existsSync(path) && extname(path) ? path : join(dist, "index.html")
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" })
    res.end(readFileSync(file))
  })
  server.on("upgrade", (req, socket, head) => tunnel(req, socket, head, upstreamPort))
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok))
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections()
        server.close(ok)
      }),
  }
}

function forward(req, res, upstreamPort) {
  const upstream = httpRequest(
    { host: "127.0.0.1", port: upstreamPort, path: req.url, method: req.method, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    },
  )
  upstream.on("error", () => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" })
    res.end("upstream unavailable")
  })
  req.pipe(upstream)
}

function tunnel(req, socket, head, upstreamPort) {
  const upstream = connect(upstreamPort, "127.0.0.1", () => {
    const headers = Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\r\n")
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`)
    if (head?.length) upstream.write(head)
    upstream.pipe(socket)
    socket.pipe(upstream)
  })
  const drop = () => {
    socket.destroy()
    upstream.destroy()
  }
  upstream.on("error", drop)
  socket.on("error", drop)
  upstream.on("close", drop)
  socket.on("close", drop)
}

/** Headless Debian Chromium (Playwright gives it a fresh profile); each phone() on it is a fresh device. */
export async function launchBrowser() {
  const browser = await chromium.launch({
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
  })
  return { browser, close: () => browser.close() }
}

/**
 * A phone: 390 x 844 at 2x, touch, its own storage (one device, shared or not by several people);
 * `options` add e.g. locale, colorScheme or reducedMotion.
 */
export async function phone(browser, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    ...options,
  })
  const page = await context.newPage()
  return { context, page }
}

/** Remove a temporary folder the test made. */
export function removeDir(path) {
  if (path) rmSync(path, { recursive: true, force: true })
}

/** Save a screenshot to e2e/screenshots/<name>.png. */
export async function shoot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
}
