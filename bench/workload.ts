// `node dist/bench/workload.js`: what Scopewise's own-identity pieces cost on the request path, measured alone
// (no HTTP): an audit enqueue while the sink is down, the record() call the app makes (sanitising + the local
// pino line + enqueue on two queues), and the request-metrics middleware's work per finished request.
// Prints one line per figure; not part of `npm run bench` (the lead may fold it in).
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Request, Response } from 'express';
import { AuditQueue, type AuditSink } from '../src/audit/queue.js';
import { createAuditExport } from '../src/audit/export.js';
import { createAuditRecord } from '../src/audit/record.js';
import { createLogger } from '../src/log/logger.js';
import { Metrics } from '../src/metrics/metrics.js';
import { requestMetrics } from '../src/metrics/middleware.js';

const N = Number(process.env['BENCH_N'] ?? '200000');

function nsPer(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

const down: AuditSink = { name: 'down', maxBatch: 500, deliver: () => new Promise(() => undefined) };

// 1. enqueue alone, the sink hanging (an outage): the buffer absorbs it.
const records = Array.from({ length: 1000 }, (_, i) => createAuditRecord('feature-action', { feature: 'vms', i }));
const q = new AuditQueue({ sink: down, capacity: N + 40_000, lingerMs: 0 });
const enqueueNs = nsPer(N, (i) => q.enqueue(records[i % 1000]!));

// 2a. building the exported record alone (sanitising, id, time).
const fields = {
  sub: '100000000000000000001',
  feature: 'vms',
  granted: ['https://www.googleapis.com/auth/compute.readonly'],
};
const buildNs = nsPer(Math.min(N, 100_000), () => createAuditRecord('consent-granted', fields));

// 2b. record(): what the app calls per audit event (two sinks, both down), the local line written to a null stream.
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const logger = createLogger('info', sink as unknown as { write(s: string): void });
const exp = createAuditExport(
  {
    cloudLogging: undefined,
    webhook: undefined,
    queueCapacity: 1_000_000,
    batchSize: 100,
    flushMs: 0,
    drainSeconds: 1,
  },
  { logger, sinks: [down, { ...down, name: 'down-2' }] },
);
const recordNs = nsPer(Math.min(N, 100_000), (i) =>
  exp.record('consent-granted', {
    sub: '100000000000000000001',
    feature: 'vms',
    granted: ['https://www.googleapis.com/auth/compute.readonly'],
    i,
  }),
);

// 3. request metrics: the middleware plus its finish listener, on a fake matched request.
const metrics = new Metrics({ defaultMetrics: false });
const mw = requestMetrics(metrics);
const route = { path: '/vms' };
const metricsNs = nsPer(N, () => {
  const res = new EventEmitter() as unknown as Response & EventEmitter;
  const req = { method: 'GET', baseUrl: '', route } as unknown as Request;
  (res as unknown as { req: Request }).req = req;
  (res as unknown as { statusCode: number }).statusCode = 200;
  mw(req, res, () => undefined);
  res.emit('finish');
});
const baselineNs = nsPer(N, () => {
  const res = new EventEmitter();
  res.once('finish', () => undefined);
  res.emit('finish');
});

console.log(`audit enqueue (sink down):            ${enqueueNs.toFixed(0)} ns`);
console.log(`audit record built (sanitise, id, time):  ${(buildNs / 1000).toFixed(2)} µs`);
console.log(
  `audit record() in all (+ the local pino audit line audit() writes today, + 2 queues): ${(recordNs / 1000).toFixed(2)} µs`,
);
console.log(
  `request metrics per request:           ${((metricsNs - baselineNs) / 1000).toFixed(2)} µs (above a bare emitter's ${(baselineNs / 1000).toFixed(2)} µs)`,
);
process.exit(0);
