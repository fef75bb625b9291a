// Where sealed token sets live: beside the session, not inside it. Every write is a compare-and-set on a
// version number, so a late writer (a refresh that lost a race, a second instance whose lock lapsed)
// cannot overwrite a newer token: the version is the fencing token.
import type Database from 'better-sqlite3';
import type { SessionStoreHandle, RedisConnection } from '../sessions/store.js';

export interface TokenRecord {
  /** Increments on every write; a record that does not exist has version 0. */
  version: number;
  /** The user the tokens belong to (also bound into the ciphertext). */
  sub: string;
  /** Scopes granted, as the token endpoint reported them (normalised URIs). Not secret. */
  scopes: string[];
  /** The sealed TokenSet; absent once the grant was lost or revoked. */
  sealed?: string;
  /** Why the tokens were dropped (refresh answered invalid_grant, a tampered ciphertext, …). */
  lost?: { at: number; reason: string };
}

export type TokenRecordInput = Omit<TokenRecord, 'version'>;

export interface TokenStore {
  get(ref: string): Promise<TokenRecord | null>;
  /**
   * Writes `next` as version `expectedVersion + 1` if the stored version is still `expectedVersion`
   * (0 = must not exist). Returns the written record, or null when another writer got there first.
   */
  compareAndSet(ref: string, expectedVersion: number, next: TokenRecordInput, ttlMs: number): Promise<TokenRecord | null>;
  delete(ref: string): Promise<void>;
  /** Every stored ref (maintenance: re-encryption under a new key). */
  refs(): AsyncIterable<string>;
}

export function openTokenStore(handle: SessionStoreHandle): TokenStore {
  if (handle.sqlite) return new SqliteTokenStore(handle.sqlite);
  if (handle.redis) {
    const store = new RedisTokenStore(handle.redis);
    // A session's token record is keyed by its session id (see auth/routes.ts): read it alongside.
    handle.onSessionRead?.((sid) => store.prefetch(sid));
    return store;
  }
  return new MemoryTokenStore();
}

export class MemoryTokenStore implements TokenStore {
  private readonly map = new Map<string, { record: TokenRecord; expires: number }>();

  async get(ref: string): Promise<TokenRecord | null> {
    const record = this.live(ref);
    return record ? structuredClone(record) : null;
  }

  private live(ref: string): TokenRecord | null {
    const e = this.map.get(ref);
    if (!e) return null;
    if (e.expires <= Date.now()) {
      this.map.delete(ref);
      return null;
    }
    return e.record;
  }

  async compareAndSet(ref: string, expectedVersion: number, next: TokenRecordInput, ttlMs: number): Promise<TokenRecord | null> {
    // Check and write without an await in between: concurrent callers cannot both pass the check.
    if ((this.live(ref)?.version ?? 0) !== expectedVersion) return null;
    const record: TokenRecord = { ...structuredClone(next), version: expectedVersion + 1 };
    this.map.set(ref, { record, expires: Date.now() + ttlMs });
    return structuredClone(record);
  }

  async delete(ref: string): Promise<void> {
    this.map.delete(ref);
  }

  async *refs(): AsyncIterable<string> {
    const now = Date.now();
    for (const [ref, e] of [...this.map]) if (e.expires > now) yield ref;
  }
}

const SQLITE_SWEEP_EVERY_MS = 60_000;

export class SqliteTokenStore implements TokenStore {
  private readonly stmts;
  private lastSweep = 0;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS token_records (
      ref TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      record TEXT NOT NULL,
      expires INTEGER NOT NULL
    ) WITHOUT ROWID`);
    this.stmts = {
      get: db.prepare<[string, number], { record: string; version: number }>('SELECT record, version FROM token_records WHERE ref = ? AND expires > ?'),
      // Creates the record, or replaces one that has expired (a live record means someone else won).
      insert: db.prepare<{ ref: string; version: number; record: string; expires: number; now: number }>(
        `INSERT INTO token_records (ref, version, record, expires) VALUES (@ref, @version, @record, @expires)
         ON CONFLICT(ref) DO UPDATE SET version = excluded.version, record = excluded.record, expires = excluded.expires
         WHERE token_records.expires <= @now`,
      ),
      // An expired record reads as absent (version 0), so it cannot be updated from its old version either.
      update: db.prepare<[number, string, number, string, number, number]>(
        'UPDATE token_records SET version = ?, record = ?, expires = ? WHERE ref = ? AND version = ? AND expires > ?',
      ),
      delete: db.prepare<[string]>('DELETE FROM token_records WHERE ref = ?'),
      sweep: db.prepare<[number]>('DELETE FROM token_records WHERE expires <= ?'),
      refs: db.prepare<[number], { ref: string }>('SELECT ref FROM token_records WHERE expires > ?'),
    };
  }

  async get(ref: string): Promise<TokenRecord | null> {
    const row = this.stmts.get.get(ref, Date.now());
    return row ? { ...(JSON.parse(row.record) as TokenRecordInput), version: row.version } : null;
  }

  async compareAndSet(ref: string, expectedVersion: number, next: TokenRecordInput, ttlMs: number): Promise<TokenRecord | null> {
    const now = Date.now();
    const version = expectedVersion + 1;
    const json = JSON.stringify(next);
    // better-sqlite3 is synchronous: the check and the write cannot interleave with another request.
    const changes = expectedVersion === 0
      ? this.stmts.insert.run({ ref, version, record: json, expires: now + ttlMs, now }).changes
      : this.stmts.update.run(version, json, now + ttlMs, ref, expectedVersion, now).changes;
    // Expired records (with their sealed tokens) are deleted from time to time, on the write path: no timer.
    if (now - this.lastSweep >= SQLITE_SWEEP_EVERY_MS) {
      this.lastSweep = now;
      this.sweep();
    }
    return changes === 1 ? { ...structuredClone(next), version } : null;
  }

  async delete(ref: string): Promise<void> {
    this.stmts.delete.run(ref);
  }

  sweep(): number {
    return this.stmts.sweep.run(Date.now()).changes;
  }

  async *refs(): AsyncIterable<string> {
    for (const row of this.stmts.refs.all(Date.now())) yield row.ref;
  }
}

export const REDIS_TOKEN_PREFIX = 'scopewise:tokens:';

// KEYS[1] = record key; ARGV = expectedVersion, newVersion, json, ttlMs.
const CAS_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], 'v')
local curv = 0
if cur then curv = tonumber(cur) end
if curv ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

const PREFETCH_MAX_AGE_MS = 1000;

export class RedisTokenStore implements TokenStore {
  constructor(
    private readonly client: RedisConnection,
    private readonly prefix = REDIS_TOKEN_PREFIX,
  ) {}

  /** Reads started by `prefetch`, each used at most once and only while young. */
  private readonly prefetched = new Map<string, { at: number; read: Promise<Record<string, string>> }>();

  /**
   * Starts reading a record now (with the session read, in one round trip), for the `get` that follows in
   * the same request. What it returns is as fresh as a read at that moment; every write is still
   * version-checked, so an older snapshot can never overwrite a newer token.
   */
  prefetch(ref: string): void {
    const now = Date.now();
    if (this.prefetched.size >= 1000) {
      for (const [k, v] of this.prefetched) if (now - v.at > PREFETCH_MAX_AGE_MS) this.prefetched.delete(k);
      if (this.prefetched.size >= 1000) this.prefetched.clear();
    }
    const read = this.client.hGetAll(this.prefix + ref) as Promise<Record<string, string>>;
    read.catch(() => undefined); // an unused prefetch must not become an unhandled rejection
    this.prefetched.set(ref, { at: now, read });
  }

  async get(ref: string): Promise<TokenRecord | null> {
    const early = this.prefetched.get(ref);
    if (early) this.prefetched.delete(ref);
    const h = early && Date.now() - early.at <= PREFETCH_MAX_AGE_MS ? await early.read : await this.client.hGetAll(this.prefix + ref);
    if (!h || !h.v || !h.r) return null;
    return { ...(JSON.parse(h.r) as TokenRecordInput), version: Number(h.v) };
  }

  async compareAndSet(ref: string, expectedVersion: number, next: TokenRecordInput, ttlMs: number): Promise<TokenRecord | null> {
    const version = expectedVersion + 1;
    const ok = await this.client.eval(CAS_SCRIPT, {
      keys: [this.prefix + ref],
      arguments: [String(expectedVersion), String(version), JSON.stringify(next), String(Math.max(1, Math.round(ttlMs)))],
    });
    return Number(ok) === 1 ? { ...structuredClone(next), version } : null;
  }

  async delete(ref: string): Promise<void> {
    await this.client.del(this.prefix + ref);
  }

  async *refs(): AsyncIterable<string> {
    for await (const keys of this.client.scanIterator({ MATCH: `${escapeGlob(this.prefix)}*`, COUNT: 200 })) {
      for (const k of keys as unknown as string[]) yield k.slice(this.prefix.length);
    }
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
