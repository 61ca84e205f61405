import react from "@vitejs/plugin-react"
import { defineConfig } from "vitest/config"

// `npm run dev` talks to a server on :8000 (make run); the built console is served by it at /.
// /models, /export, /datasets: model files, a task's export and dataset uploads, with the admin's token.
const api = process.env.ACTIVECROWDS_URL ?? "http://127.0.0.1:8000"

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/graphql": { target: api, ws: true },
      "/media": api,
      "/models": api,
      "/export": api,
      "/datasets": api,
    },
  },
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 700 },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // CI and this machine have 2 cores shared with other work: a test that renders the whole
    // console and types into it takes a few seconds there, more than the default 5 s at worst.
    testTimeout: 15_000,
  },
})
