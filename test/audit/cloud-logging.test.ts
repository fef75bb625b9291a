// The audit export to Cloud Logging against the mock: Scopewise's own identity (the mock's metadata server),
// a token holding only logging.write, an outage that loses nothing, and IAM refusals that are retried.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';
import type { AuditExportConfig } from '../../src/audit/config.js';
import { createAuditExport, type AuditExport } from '../../src/audit/export.js';
import { cloudLoggingSink } from '../../src/audit/sinks/cloud-logging.js';
import { createAuditRecord } from '../../src/audit/record.js';
import { LOGGING_WRITE_SCOPE } from '../../src/identity/own-needs.js';
import { WorkloadIdentity } from '../../src/identity/workload-identity.js';
import { pointAdcAtMock } from '../identity/adc-env.js';
import { VirtualClock, captureLogger, waitFor } from './helpers.js';

const SA = 'scopewise-runtime@acme-prod.iam.gserviceaccount.com';
const LOG_NAME = 'projects/acme-prod/logs/scopewise-audit';
let mock: MockGoogle;
let identity: WorkloadIdentity;

const config = (over: Partial<AuditExportConfig> = {}): AuditExportConfig => ({
  cloudLogging: { projectId: 'acme-prod', logId: 'scopewise-audit' },
  webhook: undefined,
  queueCapacity: 10_000,
  batchSize: 100,
  flushMs: 0,
  drainSeconds: 5,
  ...over,
});

interface Written {
  entry: { insertId: string; logName: string; severity: string; jsonPayload: Record<string, unknown> };
  writer: string;
  tokenScopes: string[];
}

async function written(): Promise<Written[]> {
  const res = await fetch(`${mock.url}/__control/logging-entries?logName=${encodeURIComponent(LOG_NAME)}`);
  return ((await res.json()) as { entries: Written[] }).entries;
}

async function control(path: string, body?: unknown, method = 'POST'): Promise<void> {
  const res = await fetch(`${mock.url}/__control/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  assert.equal(res.status, 200, `control ${path}`);
}

before(async () => {
  mock = await createMockGoogle({ port: 0 });
  pointAdcAtMock(mock.url);
  identity = new WorkloadIdentity({ mode: 'metadata' });
  await identity.describe();
});
after(async () => {
  await mock?.close();
});

describe('audit export to Cloud Logging', () => {
  let exp: AuditExport;
  after(async () => {
    await exp?.drain(1000);
  });

  it('an audit event arrives, written as the service account with a token holding only logging.write', async () => {
    await control('reset', {});
    const log = captureLogger();
    exp = createAuditExport(config(), { logger: log.logger, identity, googleApiBaseUrl: mock.url });
    const record = exp.record('sign-in', {
      sub: '100000000000000000001',
      email: 'alice@example.com',
      tokenRef: 'the-session-id',
    });
    await waitFor(() => exp.stats()[0]?.delivered === 1, 'delivery');
    const [w] = await written();
    assert.ok(w);
    assert.equal(w.entry.insertId, record.id);
    assert.equal(w.entry.severity, 'NOTICE');
    assert.equal(w.entry.jsonPayload['event'], 'sign-in');
    assert.equal(w.entry.jsonPayload['email'], 'alice@example.com');
    assert.equal(w.entry.jsonPayload['tokenRef'], '[redacted]', 'a session id never leaves the process');
    assert.equal(w.writer, SA);
    assert.deepEqual(w.tokenScopes, [LOGGING_WRITE_SCOPE]);
    // The token the sink used (the same cached token source): tokeninfo shows logging.write and nothing else.
    const token = await identity.accessTokens([LOGGING_WRITE_SCOPE]).token();
    const info = (await (await fetch(`${mock.url}/tokeninfo?access_token=${token}`)).json()) as Record<string, string>;
    assert.equal(info['scope'], LOGGING_WRITE_SCOPE);
    // The local audit line carries the same id, so an export can be matched to the local log.
    assert.equal(log.lines.find((l) => l['audit'] === true)?.['auditId'], record.id);
  });

  it('Cloud Logging down for 30 s: no event lost, none written twice, enqueue never waits', async () => {
    await control('reset', {});
    await control('logging-outage', { status: 503 });
    const clock = new VirtualClock();
    let up = false;
    clock.onAdvance = async (t) => {
      if (!up && t >= 30_000) {
        up = true;
        await control('logging-outage', undefined, 'DELETE');
      }
    };
    exp = createAuditExport(config(), {
      logger: captureLogger().logger,
      identity,
      googleApiBaseUrl: mock.url,
      clock,
      random: () => 0.5,
    });
    const ids: string[] = [];
    // Events keep coming during the outage (one per backoff step), as requests would.
    const onAdvance = clock.onAdvance;
    clock.onAdvance = async (t) => {
      if (!up) ids.push(exp.record('feature-action', { feature: 'vms', at: t }).id);
      await onAdvance(t);
    };
    for (let i = 0; i < 20; i++) ids.push(exp.record('feature-action', { feature: 'vms', i }).id);
    assert.ok(exp.stats()[0]!.depth >= 1, 'enqueue returned before any delivery');
    await waitFor(() => exp.stats()[0]?.delivered === ids.length && up, 'delivery after the outage');
    const stats = exp.stats()[0]!;
    assert.ok(clock.t >= 30_000, 'the outage lasted 30 s (virtual)');
    assert.ok(stats.failedAttempts >= 5, `retried during the outage (${stats.failedAttempts} failed attempts)`);
    assert.equal(stats.dropped.queue_full + stats.dropped.rejected + stats.dropped.shutdown + stats.dropped.closed, 0);
    const got = (await written()).map((w) => w.entry.insertId);
    assert.deepEqual(got, ids, 'every event, once, in order');
    const counts = (await (await fetch(`${mock.url}/__control/counts`)).json()) as Record<string, number>;
    assert.equal(counts['logging-outage'], stats.failedAttempts, 'each failed attempt met the outage');
  });

  it('a batch delivered twice (its answer lost) is written once: insertId', async () => {
    await control('reset', {});
    const sink = cloudLoggingSink({
      target: { projectId: 'acme-prod', logId: 'scopewise-audit' },
      tokens: identity.accessTokens([LOGGING_WRITE_SCOPE]),
      apiBaseUrl: mock.url,
    });
    const batch = [createAuditRecord('disconnect', { sub: '1' }), createAuditRecord('disconnect', { sub: '2' })];
    assert.deepEqual(await sink.deliver(batch, AbortSignal.timeout(5000)), { ok: true });
    assert.deepEqual(await sink.deliver(batch, AbortSignal.timeout(5000)), { ok: true });
    assert.equal((await written()).length, 2);
  });

  it('without roles/logging.logWriter the write is refused (403) and kept for retry; after the grant it arrives', async () => {
    await control('reset', {});
    await control('workload-iam', { project: 'acme-prod', roles: [] });
    const clock = new VirtualClock();
    let granted = false;
    clock.onAdvance = async () => {
      if (!granted && clock.sleeps.length >= 3) {
        granted = true;
        await control('workload-iam', { project: 'acme-prod', roles: ['roles/logging.logWriter'] });
      }
    };
    exp = createAuditExport(config(), { logger: captureLogger().logger, identity, googleApiBaseUrl: mock.url, clock });
    exp.record('consent-granted', { feature: 'vms' });
    await waitFor(() => exp.stats()[0]?.delivered === 1, 'delivery after the grant');
    assert.equal(exp.stats()[0]?.lastError?.code, 'PERMISSION_DENIED');
    assert.equal((await written()).length, 1);
  });

  it('a project the service account may not write to: 403 with Google’s wording, nothing written', async () => {
    const sink = cloudLoggingSink({
      target: { projectId: 'acme-staging', logId: 'scopewise-audit' },
      tokens: identity.accessTokens([LOGGING_WRITE_SCOPE]),
      apiBaseUrl: mock.url,
    });
    assert.deepEqual(await sink.deliver([createAuditRecord('sign-in', {})], AbortSignal.timeout(5000)), {
      ok: false,
      retry: true,
      code: 'PERMISSION_DENIED',
    });
  });

  it('a token without logging.write is refused by the mock’s scope check (Discovery data)', async () => {
    const readOnly = identity.accessTokens(['https://www.googleapis.com/auth/logging.read']);
    const sink = cloudLoggingSink({
      target: { projectId: 'acme-prod', logId: 'scopewise-audit' },
      tokens: readOnly,
      apiBaseUrl: mock.url,
    });
    const outcome = await sink.deliver([createAuditRecord('sign-in', {})], AbortSignal.timeout(5000));
    assert.deepEqual(outcome, { ok: false, retry: true, code: 'SCOPE_INSUFFICIENT' });
  });
});
