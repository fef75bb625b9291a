/**
 * A bounded, batched delivery queue for one audit sink.
 *
 * - `enqueue()` is synchronous and O(1): a write into a ring buffer, never a wait. It never blocks a request.
 * - Two priorities (record.ts): security records (what users, Google and operators did) and low-priority ones
 *   (what anyone on the network can cause). Low-priority records never take the last RESERVED_SHARE of the
 *   buffer; when it is full, the oldest low-priority record makes room (for a security record, or for a newer
 *   low-priority one); a security record is refused only when no low-priority record is left to drop.
 * - One delivery loop per queue sends up to `batchSize` records at a time, security records first (after waiting
 *   up to `lingerMs` for a batch to fill), retries failed batches with exponential backoff and jitter, and keeps
 *   records until the sink confirmed them, so an outage loses nothing while the buffer has room.
 * - A batch the sink rejects as invalid is halved until the bad record is alone; that one is dropped.
 * - `drain(deadline)` delivers what is buffered, then stops; what is left at the deadline is dropped.
 * - Every drop (buffer full, rejected, shutdown, closed) is counted by reason and logged with the record ids,
 *   which match the `auditId` of the local audit log lines: nothing is lost silently.
 *
 * No timer runs while the queue is idle; timers are unref'd so they never hold the process open.
 */
import type { Logger } from '../log/logger.js';
import type { AuditPriority, AuditRecord } from './record.js';

export type DeliveryOutcome =
  | { ok: true }
  | {
      ok: false;
      /** true: try again later (outage, throttling, auth hiccup); false: the records themselves were refused. */
      retry: boolean;
      /** An error code for logs and status, e.g. UNAVAILABLE, HTTP_401, TOKEN_UNAVAILABLE. */
      code: string;
      retryAfterMs?: number;
    };

export interface AuditSink {
  /** Label for logs and metrics, e.g. `cloud-logging`, `webhook`. */
  readonly name: string;
  /** The most records one delivery may carry. */
  readonly maxBatch: number;
  /** Delivers the batch; must honour `signal` (the attempt timeout, or shutdown). May throw (= retry). */
  deliver(batch: readonly AuditRecord[], signal: AbortSignal): Promise<DeliveryOutcome>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref?.();
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export interface AuditQueueOptions {
  sink: AuditSink;
  /** Records held at most (default 10 000). */
  capacity?: number;
  /** Records per delivery (default 100, and never above the sink's maxBatch). */
  batchSize?: number;
  /** How long a partial batch waits for more records (default 1000 ms; 0 = send at once). */
  lingerMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** One delivery attempt at most this long (default 15 s). */
  attemptTimeoutMs?: number;
  logger?: Logger;
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

export type DropReason = 'queue_full' | 'rejected' | 'shutdown' | 'closed';
export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'rejected', 'shutdown', 'closed'];

export interface AuditQueueStats {
  sink: string;
  depth: number;
  capacity: number;
  enqueued: number;
  delivered: number;
  dropped: Record<DropReason, number>;
  /** The same drops by the records' priority. */
  droppedByPriority: Record<AuditPriority, number>;
  /** Failed delivery attempts (each one followed by a backoff). */
  failedAttempts: number;
  lastError: { code: string; at: string } | undefined;
  lastDeliveryAt: string | undefined;
  /** Consecutive failed attempts of the batch being delivered now. */
  retrying: number;
  closed: boolean;
}

export interface DrainReport {
  sink: string;
  delivered: number;
  dropped: number;
  timedOut: boolean;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 500, maxMs: 30_000 });

/** Equal jitter: half of min(max, base·2^n) plus a random part of the other half. Never 0, never above max. */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures, 30));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const wanted = retryAfterMs !== undefined ? Math.max(jittered, retryAfterMs) : jittered;
  return Math.min(policy.maxMs, Math.round(wanted));
}

const DROP_LOG_INTERVAL_MS = 10_000;
const IDS_IN_A_LOG_LINE = 20;
/** The share of the buffer only security records may use. */
export const RESERVED_SHARE = 0.25;

/** A fixed-size FIFO: push at the tail, take from the head, both O(1). */
class Ring<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  length = 0;
  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }
  push(item: T): void {
    this.items[(this.head + this.length) % this.capacity] = item;
    this.length++;
  }
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.length--;
    return item;
  }
}

export class AuditQueue {
  readonly sink: AuditSink;
  readonly capacity: number;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly attemptTimeoutMs: number;
  private readonly logger: Logger | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;

  /** Waiting records by priority; `inFlight` is the batch being delivered (retried until the sink confirms). */
  private readonly waiting: Record<AuditPriority, Ring<AuditRecord>>;
  private readonly lowCapacity: number;
  private inFlight: AuditRecord[] = [];

  private enqueuedCount = 0;
  private deliveredCount = 0;
  private readonly droppedCount: Record<DropReason, number> = { queue_full: 0, rejected: 0, shutdown: 0, closed: 0 };
  private readonly droppedByPriority: Record<AuditPriority, number> = { security: 0, low: 0 };
  private failedAttemptCount = 0;
  private lastError: { code: string; at: string } | undefined;
  private lastDeliveryAt: string | undefined;
  private failures = 0;

  private closed = false;
  private draining = false;
  private wake: (() => void) | undefined;
  private lingerAbort: AbortController | undefined;
  private readonly stopAbort = new AbortController();
  private readonly loop: Promise<void>;

  // Aggregated drop logging, per reason.
  private readonly pendingDropLog = new Map<DropReason, { count: number; ids: string[]; since: number }>();
  private lastDropLogAt = Number.NEGATIVE_INFINITY;

  constructor(options: AuditQueueOptions) {
    this.sink = options.sink;
    this.capacity = Math.max(1, Math.floor(options.capacity ?? 10_000));
    this.batchSize = Math.max(1, Math.min(Math.floor(options.batchSize ?? 100), options.sink.maxBatch));
    this.lingerMs = Math.max(0, options.lingerMs ?? 1000);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 15_000;
    this.logger = options.logger;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.lowCapacity = Math.max(0, this.capacity - Math.max(1, Math.ceil(this.capacity * RESERVED_SHARE)));
    this.waiting = { security: new Ring(this.capacity), low: new Ring(Math.max(1, this.lowCapacity)) };
    this.loop = this.run();
  }

  /**
   * Adds a record; false when it was dropped (queue closed, or full of records at least as important). A full
   * queue drops its oldest low-priority record to make room. Synchronous, O(1).
   */
  enqueue(record: AuditRecord): boolean {
    if (this.closed) {
      this.drop('closed', [record]);
      return false;
    }
    const low = this.waiting.low;
    const full = this.size >= this.capacity || (record.priority === 'low' && low.length >= this.lowCapacity);
    if (full) {
      const oldest = low.shift();
      if (!oldest) {
        this.drop('queue_full', [record]);
        return false;
      }
      this.drop('queue_full', [oldest]);
    }
    this.waiting[record.priority].push(record);
    this.enqueuedCount++;
    const waiting = this.waiting.security.length + low.length;
    if (this.wake) {
      const w = this.wake;
      this.wake = undefined;
      w();
    } else if (waiting >= this.batchSize && this.lingerAbort) {
      this.lingerAbort.abort();
    }
    return true;
  }

  /** Every record held: waiting and in flight. */
  private get size(): number {
    return this.inFlight.length + this.waiting.security.length + this.waiting.low.length;
  }

  get depth(): number {
    return this.size;
  }

  stats(): AuditQueueStats {
    return {
      sink: this.sink.name,
      depth: this.size,
      capacity: this.capacity,
      enqueued: this.enqueuedCount,
      delivered: this.deliveredCount,
      dropped: { ...this.droppedCount },
      droppedByPriority: { ...this.droppedByPriority },
      failedAttempts: this.failedAttemptCount,
      lastError: this.lastError,
      lastDeliveryAt: this.lastDeliveryAt,
      retrying: this.failures,
      closed: this.closed,
    };
  }

  /**
   * Delivers what is buffered within `timeoutMs` (records enqueued meanwhile too), then closes the queue.
   * Records still undelivered at the deadline are dropped (counted, logged with their ids). Enqueues after the
   * queue closed are dropped as `closed`.
   */
  async drain(timeoutMs: number): Promise<DrainReport> {
    const deliveredBefore = this.deliveredCount;
    if (!this.closed) {
      this.draining = true;
      this.lingerAbort?.abort();
      this.wakeUp();
      // A wall-clock deadline (the SIGTERM grace period), on a timer that keeps the process alive meanwhile.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.loop.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), Math.max(0, timeoutMs));
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.closed = true;
        this.stopAbort.abort();
        this.wakeUp();
        await this.loop;
      }
    }
    await this.loop;
    const left = this.takeAll();
    if (left.length > 0) this.drop('shutdown', left);
    this.flushDropLog(true);
    return {
      sink: this.sink.name,
      delivered: this.deliveredCount - deliveredBefore,
      dropped: left.length,
      timedOut: left.length > 0,
    };
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Tops the batch in flight up to `batchSize`, security records first. */
  private fillBatch(): void {
    while (this.inFlight.length < this.batchSize) {
      const next = this.waiting.security.shift() ?? this.waiting.low.shift();
      if (!next) return;
      this.inFlight.push(next);
    }
  }

  private takeAll(): AuditRecord[] {
    this.fillBatch();
    const all = this.inFlight;
    this.inFlight = [];
    for (
      let r = this.waiting.security.shift() ?? this.waiting.low.shift();
      r;
      r = this.waiting.security.shift() ?? this.waiting.low.shift()
    )
      all.push(r);
    return all;
  }

  private async run(): Promise<void> {
    let limit = this.batchSize;
    try {
      while (!this.closed) {
        if (this.size === 0) {
          if (this.draining) break;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        if (this.size < limit && !this.draining && this.lingerMs > 0) {
          this.lingerAbort = new AbortController();
          await this.clock.sleep(this.lingerMs, this.lingerAbort.signal);
          this.lingerAbort = undefined;
          if (this.closed) break;
        }
        this.fillBatch();
        const batch = this.inFlight.slice(0, limit);
        const outcome = await this.attempt(batch);
        if (outcome.ok) {
          this.inFlight.splice(0, batch.length);
          this.deliveredCount += batch.length;
          this.lastDeliveryAt = new Date(this.clock.now()).toISOString();
          if (this.failures > 0)
            this.logger?.info(
              { sink: this.sink.name, failedAttempts: this.failures },
              'audit export: delivering again',
            );
          this.failures = 0;
          limit = this.batchSize;
          continue;
        }
        if (this.closed) break;
        this.lastError = { code: outcome.code, at: new Date(this.clock.now()).toISOString() };
        if (!outcome.retry) {
          if (batch.length > 1) {
            // Some record in the batch is refused: halve until it is alone.
            limit = Math.ceil(batch.length / 2);
            continue;
          }
          this.inFlight.splice(0, 1);
          this.drop('rejected', batch, outcome.code);
          limit = this.batchSize;
          continue;
        }
        this.failedAttemptCount++;
        if (this.failures === 0)
          this.logger?.warn(
            { sink: this.sink.name, errorCode: outcome.code, depth: this.size },
            'audit export: delivery failed, retrying with backoff',
          );
        const delay = backoffDelay(this.failures, this.backoff, this.random, outcome.retryAfterMs);
        this.failures++;
        await this.clock.sleep(delay, this.stopAbort.signal);
      }
    } catch (err) {
      // Only a bug gets here (attempt() catches sink errors); stop delivering, keep counting what is left.
      this.logger?.error({ sink: this.sink.name, err }, 'audit export: delivery loop stopped');
    } finally {
      // Drained or stopped: from now on an enqueue is a counted, logged drop.
      this.closed = true;
    }
  }

  private async attempt(batch: readonly AuditRecord[]): Promise<DeliveryOutcome> {
    const timeout = AbortSignal.timeout(this.attemptTimeoutMs);
    const signal = AbortSignal.any([timeout, this.stopAbort.signal]);
    const reason = (): string => (timeout.aborted ? 'TIMEOUT' : 'ABORTED');
    // A sink that ignores its signal must not hold the queue (or a shutdown) hostage.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<DeliveryOutcome>((resolve) => {
      onAbort = () => resolve({ ok: false, retry: true, code: reason() });
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.sink.deliver(batch, signal), aborted]);
    } catch (err) {
      const code = signal.aborted
        ? reason()
        : typeof (err as { code?: unknown }).code === 'string'
          ? String((err as { code: string }).code)
          : 'SINK_ERROR';
      return { ok: false, retry: true, code };
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private drop(reason: DropReason, records: readonly AuditRecord[], code?: string): void {
    this.droppedCount[reason] += records.length;
    for (const r of records) this.droppedByPriority[r.priority]++;
    if (reason === 'rejected') {
      // Rare, and each is a bug worth seeing: one line per record.
      for (const r of records)
        this.logger?.error(
          { sink: this.sink.name, reason, errorCode: code, auditId: r.id, event: r.event },
          'audit export: record refused by the sink, not exported',
        );
      return;
    }
    let pending = this.pendingDropLog.get(reason);
    if (!pending) {
      pending = { count: 0, ids: [], since: this.clock.now() };
      this.pendingDropLog.set(reason, pending);
    }
    pending.count += records.length;
    for (const r of records) if (pending.ids.length < IDS_IN_A_LOG_LINE) pending.ids.push(r.id);
    this.flushDropLog(false);
  }

  /** At most one drop line per DROP_LOG_INTERVAL_MS (and a final one on drain), with counts and the first ids. */
  private flushDropLog(force: boolean): void {
    if (this.pendingDropLog.size === 0) return;
    const now = this.clock.now();
    if (!force && now - this.lastDropLogAt < DROP_LOG_INTERVAL_MS) return;
    this.lastDropLogAt = now;
    for (const [reason, p] of this.pendingDropLog) {
      this.logger?.error(
        { sink: this.sink.name, reason, dropped: p.count, auditIds: p.ids, totalDropped: this.droppedCount[reason] },
        `audit export: ${p.count} record(s) not exported (${reason}); they remain in the local audit log`,
      );
    }
    this.pendingDropLog.clear();
  }
}

/** Drains every queue in parallel within one deadline. */
export function drainAll(queues: readonly AuditQueue[], timeoutMs: number): Promise<DrainReport[]> {
  return Promise.all(queues.map((q) => q.drain(timeoutMs)));
}
