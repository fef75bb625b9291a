// End-to-end tests in Debian's Chromium against the demo (Scopewise + the bundled mock Google).
import { defineConfig } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
export const MOCK_PORT = Number(process.env.E2E_MOCK_PORT ?? 4100);
const dataDir = path.join(os.tmpdir(), `scopewise-e2e-${process.pid}`);
// The demo's generated secrets and SQLite file live there for one run; the runner's process removes them
// when it exits (in a worker process, where this file is loaded too, the folder does not exist: no-op).
process.once('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));

// Two instances on Redis behind no load balancer (no sticky sessions), sharing one mock Google.
export const CLUSTER_MOCK_PORT = MOCK_PORT + 100;
export const CLUSTER_PORTS = [APP_PORT + 101, APP_PORT + 102] as const;
const clusterSecret = crypto.randomBytes(16).toString('hex');
const clusterEnv = {
  NODE_ENV: 'test',
  OIDC_ISSUER: `http://127.0.0.1:${CLUSTER_MOCK_PORT}`,
  OIDC_CLIENT_ID: 'scopewise-e2e',
  OIDC_CLIENT_SECRET: clusterSecret,
  SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
  TOKEN_KEYS: `e2e:${crypto.randomBytes(32).toString('base64')}`,
  SESSION_STORE: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/7',
  GOOGLE_API_BASE_URL: `http://127.0.0.1:${CLUSTER_MOCK_PORT}`,
  ALLOWED_DOMAINS: 'example.com',
  DEFAULT_PROJECT: 'acme-prod',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '100000',
};

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // A short test's budget. Long journeys (several round trips to the mock Google, accessibility scans) set
  // their own with test.setTimeout, sized for a busy 2-core machine (about three times the idle time).
  timeout: 30_000,
  // Web-first assertions wait for their condition up to this long: a page after a round trip through the mock
  // Google can take several seconds on a loaded machine. Passing assertions return as soon as they hold.
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${APP_PORT}`,
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: [
    {
      command: 'node dist/demo/main.js',
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
        RATE_LIMIT_PER_MINUTE: '100000',
        NODE_ENV: 'test',
        OIDC_CLIENT_ID: '',
      },
    },
    {
      command: 'node dist/mock-google/main.js',
      url: `http://127.0.0.1:${CLUSTER_MOCK_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: {
        MOCK_PORT: String(CLUSTER_MOCK_PORT),
        MOCK_CLIENT_ID: 'scopewise-e2e',
        MOCK_CLIENT_SECRET: clusterSecret,
        MOCK_REDIRECT_URIS: CLUSTER_PORTS.map((p) => `http://localhost:${p}/auth/callback`).join(','),
      },
    },
    ...CLUSTER_PORTS.map((port) => ({
      command: 'node dist/src/main.js',
      url: `http://localhost:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { ...clusterEnv, PORT: String(port), BASE_URL: `http://localhost:${port}` },
    })),
  ],
});
