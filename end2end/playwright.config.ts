import { defineConfig } from "@playwright/test";
import { launchOptions } from "./chromium.cjs";

// The release build of Parley, started on its own port with a fresh SQLite
// database and the demo town (see serve.sh), in Debian's Chromium.
const port = Number(process.env.PARLEY_E2E_PORT ?? 3107);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  reporter: [["list"]],
  use: {
    baseURL,
    browserName: "chromium",
    launchOptions,
  },
  webServer: {
    command: "bash ./serve.sh",
    url: `${baseURL}/healthz`,
    env: { PARLEY_E2E_PORT: String(port) },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
