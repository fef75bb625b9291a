// Anyone can send Scopewise requests that are refused (bad security event tokens at POST /risc, broken sign-in
// callbacks): those refusals must never push real security events (a sign-in, a session ended by Google) out of
// the audit export. Security records keep reserved room, a full queue drops the oldest low-priority records
// first, and refusals anyone can cause are exported as one count per minute, not one record each.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditExport } from '../../src/audit/export.js';
import { AuditQueue, type AuditSink, type DeliveryOutcome } from '../../src/audit/queue.js';
import { auditClass, createAuditRecord, type AuditRecord } from '../../src/audit/record.js';
import { VirtualClock, captureLogger, waitFor } from './helpers.js';

/** A sink that holds every delivery until `open()`; then accepts. */
function gatedSink() {
  const delivered: AuditRecord[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const sink: AuditSink = {
    name: 'gated',
    maxBatch: 1000,
    async deliver(batch) {
      await gate;
      delivered.push(...batch);
      return { ok: true } as DeliveryOutcome;
    },
  };
  return { sink, delivered, open };
}

const low = (n: number) => createAuditRecord('risc-set-duplicate', { n });
const security = (n: number) => createAuditRecord('sign-in', { n });

describe('audit queue priorities', () => {
  it('a flood of low-priority records leaves the reserved room to security records, dropping its oldest first', async () => {
    const log = captureLogger();
    const s = gatedSink();
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, capacity: 8, batchSize: 8, logger: log.logger });
    const flood = Array.from({ length: 20 }, (_, i) => low(i));
    for (const r of flood) assert.equal(q.enqueue(r), true, 'the newest is always taken');
    assert.equal(q.depth, 6, 'low-priority records never take the last quarter');
    const real = Array.from({ length: 4 }, (_, i) => security(i));
    for (const r of real) assert.equal(q.enqueue(r), true);
    assert.equal(q.depth, 8);
    s.open();
    await waitFor(() => s.delivered.length === 8, 'delivery');
    assert.deepEqual(
      s.delivered.map((r) => r.id),
      [...real, ...flood.slice(16)].map((r) => r.id),
      'security records first; of the flood only the newest are kept',
    );
    const stats = q.stats();
    assert.equal(stats.dropped.queue_full, 16);
    assert.deepEqual(stats.droppedByPriority, { security: 0, low: 16 });
    const line = log.find(/not exported \(queue_full\)/)[0];
    assert.ok(
      ((line?.['auditIds'] ?? []) as string[]).includes(flood[0]!.id),
      'the oldest went first, logged with its id',
    );
    await q.drain(1000);
  });

  it('only when the queue holds no low-priority record is a security record refused (counted as such)', async () => {
    const s = gatedSink();
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, capacity: 4, batchSize: 4 });
    for (let i = 0; i < 4; i++) assert.equal(q.enqueue(security(i)), true);
    assert.equal(q.enqueue(security(4)), false);
    assert.equal(q.enqueue(low(0)), false, 'a low-priority record takes no security record’s place');
    assert.deepEqual(q.stats().droppedByPriority, { security: 1, low: 1 });
    s.open();
    await q.drain(1000);
  });
});

describe('audit classes', () => {
  it('refusals anyone can cause are counted per minute; a refused real account and Google’s events are security records', () => {
    assert.deepEqual(auditClass('risc-set-refused', { code: 'SET_BAD_SIGNATURE' }), {
      priority: 'low',
      tally: 'SET_BAD_SIGNATURE',
    });
    assert.deepEqual(auditClass('sign-in-refused', { reason: 'BAD_CALLBACK_REQUEST' }), {
      priority: 'low',
      tally: 'BAD_CALLBACK_REQUEST',
    });
    assert.deepEqual(auditClass('sign-in-refused', { sub: '1', reason: 'NOT_ADMITTED' }), { priority: 'low' });
    assert.deepEqual(auditClass('sign-in-refused', { sub: '1', reason: 'ACCOUNT_DISABLED' }), {
      priority: 'security',
    });
    assert.deepEqual(auditClass('risc-set-duplicate', {}), { priority: 'low' });
    for (const e of ['sign-in', 'sign-out', 'session-ended', 'risc-sessions-ended', 'risc-sign-in-blocked'])
      assert.deepEqual(auditClass(e as never, {}), { priority: 'security' }, e);
  });
});

describe('audit export: per-minute counts', () => {
  it('refused security event tokens are exported as one record per minute with their count by code', async () => {
    const clock = new VirtualClock();
    clock.t = Date.UTC(2026, 4, 17, 12, 0, 0);
    const log = captureLogger();
    const s = gatedSink();
    s.open();
    const audit = createAuditExport(
      { cloudLogging: undefined, webhook: undefined, queueCapacity: 100, batchSize: 100, flushMs: 0, drainSeconds: 5 },
      { logger: log.logger, clock, sinks: [s.sink] },
    );
    for (let i = 0; i < 300; i++) {
      audit.audit('risc-set-refused', { code: i % 3 ? 'SET_BAD_SIGNATURE' : 'SET_MALFORMED', err: 'x' });
      clock.t += 100; // 300 refusals over 30 s
    }
    audit.audit('sign-in', { sub: '1' });
    clock.t += 60_000; // the next minute
    audit.audit('risc-set-refused', { code: 'SET_MALFORMED' });
    await audit.drain(1000);
    const counts = s.delivered.filter((r) => r.event === 'risc-set-refused');
    assert.deepEqual(
      counts.map((r) => r.fields),
      [
        {
          perMinute: true,
          count: 300,
          byReason: { SET_BAD_SIGNATURE: 200, SET_MALFORMED: 100 },
          from: '2026-05-17T12:00:00.000Z',
          to: '2026-05-17T12:01:00.000Z',
        },
        {
          perMinute: true,
          count: 1,
          byReason: { SET_MALFORMED: 1 },
          from: '2026-05-17T12:01:00.000Z',
          to: '2026-05-17T12:02:00.000Z',
        },
      ],
    );
    assert.equal(s.delivered.filter((r) => r.event === 'sign-in').length, 1);
    const local = log.lines.filter((l) => l['event'] === 'risc-set-refused');
    assert.equal(local.filter((l) => l['perMinute'] !== true).length, 301, 'the local audit log keeps each one');
    assert.deepEqual(
      local.filter((l) => l['perMinute'] === true).map((l) => l['auditId']),
      counts.map((r) => r.id),
      'and the exported counts, by their ids',
    );
  });
});
