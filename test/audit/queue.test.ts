// The delivery queue alone, with sinks that behave as told: never blocks the caller, loses nothing while it has
// room, counts and logs every record it cannot export.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuditQueue, backoffDelay, type AuditSink, type DeliveryOutcome } from '../../src/audit/queue.js';
import { createAuditRecord, type AuditRecord } from '../../src/audit/record.js';
import { VirtualClock, captureLogger, waitFor } from './helpers.js';

function records(n: number, from = 0): AuditRecord[] {
  return Array.from({ length: n }, (_, i) => createAuditRecord('feature-action', { n: from + i }));
}

/** A sink that answers from a script, recording every batch it was given. */
function scriptedSink(
  answer: (batch: readonly AuditRecord[], call: number) => DeliveryOutcome | Promise<DeliveryOutcome>,
  maxBatch = 1000,
) {
  const delivered: AuditRecord[] = [];
  const batches: number[] = [];
  let calls = 0;
  const sink: AuditSink = {
    name: 'test',
    maxBatch,
    async deliver(batch) {
      batches.push(batch.length);
      const outcome = await answer(batch, calls++);
      if (outcome.ok) delivered.push(...batch);
      return outcome;
    },
  };
  return { sink, delivered, batches, calls: () => calls };
}

/** Enqueue `n` records and wait (`what`) until the sink has them all, in the order they were enqueued. */
async function assertAllDeliveredInOrder(
  q: AuditQueue,
  s: ReturnType<typeof scriptedSink>,
  n: number,
  what: string,
): Promise<void> {
  const all = records(n);
  for (const r of all) q.enqueue(r);
  await waitFor(() => s.delivered.length === n, what);
  assert.deepEqual(
    s.delivered.map((r) => r.id),
    all.map((r) => r.id),
  );
}

const ok = (): DeliveryOutcome => ({ ok: true });
const unavailable = (): DeliveryOutcome => ({ ok: false, retry: true, code: 'UNAVAILABLE' });

describe('AuditQueue', () => {
  it('enqueue never waits for delivery: it returns at once while the sink hangs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = scriptedSink(async () => {
      await gate;
      return ok();
    });
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, batchSize: 100 });
    const results = records(1000).map((r) => q.enqueue(r));
    assert.ok(
      results.every((r) => r === true),
      'every enqueue accepted, synchronously',
    );
    assert.equal(q.depth, 1000, 'the first batch stays in the buffer until the sink confirms it');
    release();
    await waitFor(() => s.delivered.length === 1000, 'delivery');
    assert.deepEqual(s.batches, Array(10).fill(100));
    await q.drain(1000);
  });

  it('delivers in order, in batches of at most batchSize, and never more than the sink takes', async () => {
    const s = scriptedSink(ok, 7);
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, batchSize: 10 });
    await assertAllDeliveredInOrder(q, s, 30, 'delivery');
    assert.ok(s.batches.every((b) => b <= 7));
    await q.drain(1000);
  });

  it('an outage: retried with growing, jittered backoff; nothing lost, nothing reordered', async () => {
    const clock = new VirtualClock();
    const s = scriptedSink((_b, call) => (call < 8 ? unavailable() : ok()));
    const q = new AuditQueue({
      sink: s.sink,
      lingerMs: 0,
      batchSize: 50,
      clock,
      backoff: { baseMs: 500, maxMs: 30_000 },
      random: () => 0.5,
    });
    await assertAllDeliveredInOrder(q, s, 20, 'delivery after the outage');
    assert.deepEqual(clock.sleeps, [375, 750, 1500, 3000, 6000, 12000, 22500, 22500]);
    const stats = q.stats();
    assert.equal(stats.failedAttempts, 8);
    assert.equal(stats.retrying, 0);
    assert.deepEqual(stats.dropped, { queue_full: 0, rejected: 0, shutdown: 0, closed: 0 });
    await q.drain(1000);
  });

  it('a full buffer drops the new record: counted, logged with its id, enqueue says false', async () => {
    const log = captureLogger();
    const s = scriptedSink(() => new Promise<DeliveryOutcome>(() => undefined)); // the sink never answers
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, capacity: 5, logger: log.logger, attemptTimeoutMs: 60_000 });
    const all = records(7);
    assert.deepEqual(
      all.map((r) => q.enqueue(r)),
      [true, true, true, true, true, false, false],
    );
    assert.equal(q.stats().dropped.queue_full, 2);
    const line = log.find(/not exported \(queue_full\)/)[0];
    assert.ok(line, 'a drop is logged at once');
    assert.deepEqual(line['auditIds'], [all[5]?.id]);
    const report = await q.drain(50);
    assert.equal(report.dropped, 5, 'what the deadline left is dropped too');
    const final = log.find(/queue_full|shutdown/).map((l) => [l['reason'], l['dropped']]);
    assert.deepEqual(final.at(-2), ['queue_full', 1]);
    assert.deepEqual(final.at(-1), ['shutdown', 5]);
  });

  it('a record the sink refuses is isolated by halving the batch; the others are delivered', async () => {
    const log = captureLogger();
    const all = records(16);
    const poison = all[11]!;
    const s = scriptedSink((batch) =>
      batch.some((r) => r.id === poison.id) ? { ok: false, retry: false, code: 'INVALID_ARGUMENT' } : ok(),
    );
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, batchSize: 16, logger: log.logger });
    for (const r of all) q.enqueue(r);
    await waitFor(() => s.delivered.length === 15, 'delivery of the good records');
    assert.deepEqual(
      s.delivered.map((r) => r.id),
      all.filter((r) => r !== poison).map((r) => r.id),
    );
    assert.equal(q.stats().dropped.rejected, 1);
    const line = log.find(/refused by the sink/)[0];
    assert.equal(line?.['auditId'], poison.id);
    assert.equal(line?.['errorCode'], 'INVALID_ARGUMENT');
    await q.drain(1000);
  });

  it('a sink that throws is retried like an outage', async () => {
    const clock = new VirtualClock();
    const s = scriptedSink((_b, call) => {
      if (call === 0) throw Object.assign(new Error('boom'), { code: 'ECONNRESET' });
      return ok();
    });
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, clock });
    q.enqueue(records(1)[0]!);
    await waitFor(() => s.delivered.length === 1, 'delivery after the throw');
    assert.equal(q.stats().lastError?.code, 'ECONNRESET');
    await q.drain(1000);
  });

  it('drain delivers what is buffered (a partial batch does not wait for its linger), then closes', async () => {
    const log = captureLogger();
    const s = scriptedSink(ok);
    const q = new AuditQueue({ sink: s.sink, lingerMs: 60_000, batchSize: 100, logger: log.logger });
    for (const r of records(3)) q.enqueue(r);
    const report = await q.drain(5000);
    assert.deepEqual(report, { sink: 'test', delivered: 3, dropped: 0, timedOut: false });
    assert.equal(q.enqueue(records(1)[0]!), false, 'closed');
    assert.equal(q.stats().dropped.closed, 1);
    assert.equal(log.find(/not exported \(closed\)/).length, 1);
  });

  it('drain with the sink down: retries until the deadline, then drops the rest, counted and logged', async () => {
    const log = captureLogger();
    const s = scriptedSink(unavailable);
    const q = new AuditQueue({ sink: s.sink, lingerMs: 0, logger: log.logger, backoff: { baseMs: 5, maxMs: 20 } });
    const all = records(4);
    for (const r of all) q.enqueue(r);
    const report = await q.drain(150);
    assert.equal(report.dropped, 4);
    assert.equal(report.timedOut, true);
    assert.ok(s.calls() > 1, 'it kept trying during the drain');
    const line = log.find(/not exported \(shutdown\)/)[0];
    assert.deepEqual(
      line?.['auditIds'],
      all.map((r) => r.id),
    );
  });
});

describe('backoffDelay', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };
  it('half the ceiling at least, the ceiling at most, and never above maxMs', () => {
    for (let n = 0; n < 12; n++) {
      const ceiling = Math.min(30_000, 500 * 2 ** n);
      assert.equal(
        backoffDelay(n, policy, () => 0),
        Math.round(ceiling / 2),
      );
      assert.ok(backoffDelay(n, policy, () => 0.999) <= ceiling);
    }
  });
  it('honours Retry-After up to maxMs', () => {
    assert.equal(
      backoffDelay(0, policy, () => 0, 10_000),
      10_000,
    );
    assert.equal(
      backoffDelay(0, policy, () => 0, 120_000),
      30_000,
    );
  });
});
