// DEMO_WORKLOAD=1 as the demo launcher will run it: the mock, applyDemoWorkload(process.env), the workload config,
// startWorkload, one audit event → the mock's Cloud Logging and the private receiver; then stop() drains.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';
import { applyDemoWorkload } from '../../demo/workload.js';
import { parseWorkloadConfig, startWorkload } from '../../src/identity/workload.js';
import { captureLogger } from '../audit/helpers.js';

let mock: MockGoogle;
before(async () => {
  mock = await createMockGoogle({ port: 0 });
});
after(async () => {
  await mock?.close();
});

it('the demo acts as the mock’s service account and exports its audit trail to the mock', async () => {
  process.env['DEMO_WORKLOAD'] = '1';
  process.env['GOOGLE_CLOUD_PROJECT'] = 'acme-prod';
  const lines = applyDemoWorkload(process.env, mock.url);
  assert.equal(lines.length, 3);
  const parsed = parseWorkloadConfig(process.env);
  assert.deepEqual(parsed.problems, []);
  const log = captureLogger();
  const workload = await startWorkload(parsed.value, { logger: log.logger, googleApiBaseUrl: mock.url });
  assert.equal(
    log.find(
      /^Scopewise acts as scopewise-runtime@acme-prod\.iam\.gserviceaccount\.com \(attached service account, from the metadata server\)$/,
    ).length,
    1,
  );
  const record = workload.audit.record('sign-in', { sub: '100000000000000000001', email: 'alice@example.com' });
  const reports = await workload.stop();
  assert.deepEqual(
    reports.map((r) => [r.sink, r.delivered, r.dropped]),
    [
      ['cloud-logging', 1, 0],
      ['webhook', 1, 0],
    ],
  );
  const entries = (await (
    await fetch(`${mock.url}/__control/logging-entries?logName=projects%2Facme-prod%2Flogs%2Fscopewise-audit`)
  ).json()) as { entries: Array<{ entry: { insertId: string } }> };
  assert.deepEqual(
    entries.entries.map((e) => e.entry.insertId),
    [record.id],
  );
  const received = (await (await fetch(`${mock.url}/__control/run-receiver?service=audit-receiver`)).json()) as {
    count: number;
  };
  assert.equal(received.count, 1);
  assert.deepEqual(
    workload.health().audit.map(({ sink, depth, dropped }) => ({ sink, depth, dropped })),
    [
      { sink: 'cloud-logging', depth: 0, dropped: 0 },
      { sink: 'webhook', depth: 0, dropped: 0 },
    ],
  );
  assert.deepEqual(workload.health().identity, {
    mode: 'metadata',
    state: 'ready',
    kind: 'attached-service-account',
    source: 'metadata-server',
    account: 'scopewise-runtime@acme-prod.iam.gserviceaccount.com',
  });
});
