// The memory backend: for tests only (configuration refuses it elsewhere). Same invariants as the others.
import session from 'express-session';
import type { TokenRecord, TokenRecordInput, TokenStore } from '../tokens/token-store.js';
import type { Storage, StorageOptions } from './types.js';
import { openEventStores } from './account-events/index.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

export class MemoryTokenStore implements TokenStore {
  private readonly map = new Map<string, { record: TokenRecord; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(ref: string): Promise<TokenRecord | null> {
    const record = this.live(ref);
    return record ? structuredClone(record) : null;
  }

  private live(ref: string): TokenRecord | null {
    const e = this.map.get(ref);
    if (!e) return null;
    if (e.expires <= this.now()) {
      this.map.delete(ref);
      return null;
    }
    return e.record;
  }

  async compareAndSet(
    ref: string,
    expectedVersion: number,
    next: TokenRecordInput,
    ttlMs: number,
  ): Promise<TokenRecord | null> {
    // Check and write without an await in between: concurrent callers cannot both pass the check.
    if ((this.live(ref)?.version ?? 0) !== expectedVersion) return null;
    const record: TokenRecord = { ...structuredClone(next), version: expectedVersion + 1 };
    this.map.set(ref, { record, expires: this.now() + ttlMs });
    return structuredClone(record);
  }

  async delete(ref: string): Promise<void> {
    this.map.delete(ref);
  }

  /** Renews a live record's lifetime (its session was renewed). */
  extend(ref: string, ttlMs: number): void {
    const e = this.map.get(ref);
    if (e && e.expires > this.now()) e.expires = this.now() + ttlMs;
  }

  async *refs(): AsyncIterable<string> {
    const now = this.now();
    for (const [ref, e] of [...this.map]) if (e.expires > now) yield ref;
  }
}

/** express-session's MemoryStore with tombstones, whose destroy also drops the session's token record. */
export class MemorySessionStore extends session.MemoryStore {
  private readonly dead = new Map<string, number>();

  constructor(
    private readonly tokens: MemoryTokenStore,
    private readonly idleTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  private isDead(sid: string): boolean {
    const until = this.dead.get(sid);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.dead.delete(sid);
    return false;
  }

  /** The session's remaining lifetime: its cookie's, or the idle lifetime for a browser-session cookie. */
  private ttlOf(sess: session.SessionData): number {
    const e = sess.cookie?.expires;
    return e ? new Date(e).getTime() - this.now() : this.idleTtlMs;
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    if (this.isDead(sid)) {
      cb?.();
      return;
    }
    this.tokens.extend(sid, this.ttlOf(sess));
    super.set(sid, sess, cb);
  }

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    if (this.isDead(sid)) {
      cb?.();
      return;
    }
    this.tokens.extend(sid, this.ttlOf(sess));
    super.touch(sid, sess, cb ?? (() => undefined));
  }

  override destroy(sid: string, cb?: Callback): void {
    if (this.dead.size >= 100_000) for (const [k, until] of this.dead) if (until <= this.now()) this.dead.delete(k);
    this.dead.set(sid, this.now() + this.idleTtlMs);
    void this.tokens.delete(sid);
    super.destroy(sid, cb);
  }
}

export function openMemoryStorage(opts: StorageOptions): Storage {
  const now = opts.now ?? Date.now;
  const tokens = new MemoryTokenStore(now);
  return {
    kind: 'memory',
    sessions: new MemorySessionStore(tokens, opts.idleTtlMs, now),
    tokens,
    lock: undefined,
    rateLimitStore: () => undefined,
    accounts: openEventStores({ kind: 'memory' }, now),
    takePrefetchedTokenRecord: () => undefined,
    isHealthy: async () => true,
    close: async () => undefined,
  };
}
