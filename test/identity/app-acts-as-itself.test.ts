// The whole app, started as an operator starts it (the entry point in its own process), acting as itself through
// the metadata server: the start-up line names the attached service account, the public /healthz says only ready,
// and a sign-in's audit event reaches Cloud Logging written by that service account with logging.write only,
// never with the signed-in admin's token.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlOf, signInOverHttp } from '../support/stack.js';
import { ownIdentityEnv, startEntryPoint, type RunningEntryPoint } from '../support/entry-point.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
const SA = 'scopewise-runtime@acme-prod.iam.gserviceaccount.com';
const LOG_NAME = 'projects/acme-prod/logs/scopewise-audit';
const ALICE = 'alice@example.com';

interface Written {
  entry: { insertId: string; jsonPayload: Record<string, unknown> };
  writer: string;
  tokenScopes: string[];
}

let app: RunningEntryPoint;
let dataDir: string;

async function written(): Promise<Written[]> {
  const res = await fetch(`${app.mock.url}/__control/logging-entries?logName=${encodeURIComponent(LOG_NAME)}`);
  return ((await res.json()) as { entries: Written[] }).entries;
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-own-'));
  app = await startEntryPoint({
    script: MAIN,
    clientId: 'scopewise-own',
    sessionStore: `sqlite:${path.join(dataDir, 'sessions.db')}`,
    env: (mock) => ownIdentityEnv(mock),
  });
});

after(async () => {
  await app?.stop('SIGINT');
  await app?.mock.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});
it('says at start-up which identity it acts as; the public /healthz says only that it is ready', async () => {
  assert.match(
    app.output(),
    new RegExp(
      `Scopewise acts as ${SA.replace(/\./g, '\\.')} \\(attached service account, from the metadata server\\)`,
    ),
  );
  const health = (await (await fetch(`${app.baseUrl}/healthz`)).json()) as Record<string, unknown>;
  assert.deepEqual(health, { ready: true }, 'the public health check says ready, and nothing about the identity');
});

it('a sign-in is exported to Cloud Logging by the service account, with logging.write only', async () => {
  const before = (await written()).length;
  await signInOverHttp(app.baseUrl, controlOf(app.mock.url), ALICE);
  const entries = await app.until('the sign-in audit entry', async () => {
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
