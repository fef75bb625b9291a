// End-to-end tests in Debian's Chromium against the demo (Scopewise + the bundled mock Google).
import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
export const MOCK_PORT = Number(process.env.E2E_MOCK_PORT ?? 4100);
const dataDir = path.join(os.tmpdir(), `scopewise-e2e-${process.pid}`);

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${APP_PORT}`,
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: {
    command: 'node dist/src/main.js',
    url: `http://localhost:${APP_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(APP_PORT),
      MOCK_PORT: String(MOCK_PORT),
      DEMO_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
  },
});
