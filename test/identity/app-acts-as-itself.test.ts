// The whole app, started as an operator starts it (the entry point in its own process), acting as itself through
// the metadata server: the start-up line names the attached service account, /healthz says the identity is ready,
// and a sign-in's audit event reaches Cloud Logging written by that service account with logging.write only,
// never with the signed-in admin's token.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { controlOf, signInOverHttp } from '../support/stack.js';
import { freePort } from '../support/ports.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
const SA = 'scopewise-runtime@acme-prod.iam.gserviceaccount.com';
const LOG_NAME = 'projects/acme-prod/logs/scopewise-audit';
const ALICE = 'alice@example.com';

interface Written {
  entry: { insertId: string; jsonPayload: Record<string, unknown> };
  writer: string;
  tokenScopes: string[];
}

let mock: MockGoogle;
let app: ChildProcess;
let baseUrl: string;
let output = '';
let dataDir: string;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (app.exitCode !== null) assert.fail(`Scopewise exited (${app.exitCode}) while waiting for ${what}:\n${output}`);
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function written(): Promise<Written[]> {
  const res = await fetch(`${mock.url}/__control/logging-entries?logName=${encodeURIComponent(LOG_NAME)}`);
  return ((await res.json()) as { entries: Written[] }).entries;
}

before(async () => {
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  const clientSecret = crypto.randomBytes(16).toString('hex');
  mock = await createMockGoogle({
    port: 0,
    clients: [{ clientId: 'scopewise-own', clientSecret, redirectUris: [`${baseUrl}/auth/callback`] }],
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-own-'));
  app = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: String(port),
      BASE_URL: baseUrl,
      OIDC_ISSUER: mock.issuer,
      OIDC_CLIENT_ID: 'scopewise-own',
      OIDC_CLIENT_SECRET: clientSecret,
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
      TOKEN_KEYS: generateKeySpec('own1'),
      SESSION_STORE: `sqlite:${path.join(dataDir, 'sessions.db')}`,
      ALLOWED_DOMAINS: 'example.com',
      GOOGLE_API_BASE_URL: mock.url,
      SCOPEWISE_IDENTITY: 'metadata',
      GCE_METADATA_HOST: new URL(mock.url).host,
      GOOGLE_CLOUD_PROJECT: 'acme-prod',
      AUDIT_SINK: 'cloud-logging:acme-prod/scopewise-audit',
      AUDIT_FLUSH_MS: '50',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  app.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  await until('the app to answer /healthz', async () =>
    (await fetch(`${baseUrl}/healthz`)).status === 200 ? true : undefined,
  );
});

after(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app.once('exit', r));
    app.kill('SIGINT');
    await exited;
  }
  await mock?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('says at start-up which identity it acts as, and /healthz reports it ready', async () => {
  assert.match(
    output,
    new RegExp(
      `Scopewise acts as ${SA.replace(/\./g, '\\.')} \\(attached service account, from the metadata server\\)`,
    ),
  );
  const health = (await (await fetch(`${baseUrl}/healthz`)).json()) as {
    ready: boolean;
    workload?: { identity: string };
  };
  assert.equal(health.ready, true);
  assert.equal(health.workload?.identity, 'ready');
  assert.ok(
    !/"account"|iam\.gserviceaccount/.test(JSON.stringify(health)),
    'the public health check does not name the service account',
  );
});

it('a sign-in is exported to Cloud Logging by the service account, with logging.write only', async () => {
  const before = (await written()).length;
  await signInOverHttp(baseUrl, controlOf(mock.url), ALICE);
  const entries = await until('the sign-in audit entry', async () => {
    const all = await written();
    return all.slice(before).some((e) => e.entry.jsonPayload['event'] === 'sign-in') ? all.slice(before) : undefined;
  });
  const signIn = entries.find((e) => e.entry.jsonPayload['event'] === 'sign-in')!;
  assert.equal(signIn.writer, SA, 'written as Scopewise itself, not as the admin who signed in');
  assert.deepEqual(signIn.tokenScopes, ['https://www.googleapis.com/auth/logging.write']);
  assert.equal(signIn.entry.jsonPayload['email'], ALICE);
  const text = JSON.stringify(entries);
  assert.ok(!/ya29\.|refresh_token|access_token/.test(text), 'no token in the exported trail');
});
