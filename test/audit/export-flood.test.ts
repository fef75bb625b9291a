// The whole app exporting its audit trail to Cloud Logging while anyone floods POST /risc with bad tokens during
// an outage of Cloud Logging: the real sign-in made meanwhile still reaches Cloud Logging, and the refusals are
// there as a count per minute, not one entry each.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlOf, signInOverHttp } from '../support/stack.js';
import { ownIdentityEnv, startEntryPoint, type RunningEntryPoint } from '../support/entry-point.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
const LOG_NAME = 'projects/acme-prod/logs/scopewise-audit';
const FLOOD = 400;

interface Written {
  entry: { jsonPayload: Record<string, unknown> };
}

let app: RunningEntryPoint;
let dataDir: string;

const written = async (): Promise<Written[]> =>
  (
    (await (
      await fetch(`${app.mock.url}/__control/logging-entries?logName=${encodeURIComponent(LOG_NAME)}`)
    ).json()) as { entries: Written[] }
  ).entries;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-flood-'));
  app = await startEntryPoint({
    script: MAIN,
    clientId: 'scopewise-flood',
    sessionStore: `sqlite:${path.join(dataDir, 'sessions.db')}`,
    env: (mock) =>
      ownIdentityEnv(mock, {
        AUDIT_QUEUE_CAPACITY: '100',
        AUDIT_DRAIN_SECONDS: '30',
        RISC_RATE_LIMIT_PER_MINUTE: '100000',
        SHUTDOWN_DRAIN_SECONDS: '0',
      }),
  });
});

after(async () => {
  await app?.stop('SIGKILL');
  await app?.mock.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('a flood of bad tokens during a Cloud Logging outage does not push a real sign-in out of the export', async () => {
  const control = controlOf(app.mock.url);
  await control('logging-outage', { status: 503 });
  for (let i = 0; i < FLOOD; i++) {
    const res = await fetch(`${app.baseUrl}/risc`, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt' },
      body: `not-a-token-${i}`,
    });
    assert.equal(res.status, 400);
  }
  await signInOverHttp(app.baseUrl, control, 'alice@example.com');
  await fetch(`${app.mock.url}/__control/logging-outage`, { method: 'DELETE' });
  await app.until(
    'the sign-in in Cloud Logging',
    async () => ((await written()).some((w) => w.entry.jsonPayload['event'] === 'sign-in') ? true : undefined),
    40_000,
  );
  assert.equal(await app.stop('SIGTERM'), 0, 'the export drained at shutdown');
  const refused = (await written()).filter((w) => w.entry.jsonPayload['event'] === 'risc-set-refused');
  assert.ok(refused.length >= 1 && refused.length <= 2, `one count per minute, not ${refused.length} entries`);
  assert.equal(
    refused.reduce((n, w) => n + Number(w.entry.jsonPayload['count']), 0),
    FLOOD,
  );
  assert.ok(refused.every((w) => w.entry.jsonPayload['perMinute'] === true));
});
