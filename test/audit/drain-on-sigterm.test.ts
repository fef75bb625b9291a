// SIGTERM drains the audit queues: events still buffered when the signal comes are delivered before exit.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';

let mock: MockGoogle;
before(async () => {
  mock = await createMockGoogle({ port: 0 });
});
after(async () => {
  await mock?.close();
});

const child = fileURLToPath(new URL('./drain-child.js', import.meta.url));

it('SIGTERM: buffered events reach Cloud Logging and the webhook before the process exits', async () => {
  const events = 120;
  const proc = spawn(process.execPath, [child], {
    env: {
      PATH: process.env['PATH'] ?? '',
      SCOPEWISE_IDENTITY: 'metadata',
      GCE_METADATA_HOST: new URL(mock.url).host,
      GOOGLE_API_BASE_URL: mock.url,
      AUDIT_SINK: 'cloud-logging:acme-prod/scopewise-audit',
      AUDIT_WEBHOOK_URL: `${mock.url}/cloudrun/audit-receiver/events`,
      // A partial batch would wait a minute: only the drain sends it.
      AUDIT_FLUSH_MS: '60000',
      AUDIT_BATCH_SIZE: '500',
      // 120 webhook deliveries one by one: ample time on a loaded machine (the drain ends as soon as they are out).
      AUDIT_DRAIN_SECONDS: '30',
      EVENTS: String(events),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  while (!out.includes('ready\n')) {
    if (proc.exitCode !== null) assert.fail(`child exited early: ${err}`);
    await once(proc.stdout, 'data');
  }
  const before = (await (await fetch(`${mock.url}/__control/logging-entries`)).json()) as { count: number };
  assert.equal(before.count, 0, 'the events are still buffered when SIGTERM comes');

  proc.kill('SIGTERM');
  const [code] = (await once(proc, 'exit')) as [number | null];
  assert.equal(code, 0, err);
  const reports = JSON.parse(out.split('\n')[1] ?? '[]') as Array<{ sink: string; delivered: number; dropped: number }>;
  const logging = reports.find((r) => r.sink === 'cloud-logging');
  assert.equal(logging?.dropped, 0);
  const entries = (await (await fetch(`${mock.url}/__control/logging-entries`)).json()) as { count: number };
  assert.equal(entries.count, events);
  const received = (await (await fetch(`${mock.url}/__control/run-receiver?service=audit-receiver`)).json()) as {
    count: number;
  };
  assert.equal(received.count, events);
});
