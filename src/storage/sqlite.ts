// The SQLite backend (better-sqlite3): the default for one instance. One private file holds the sessions,
// their tombstones and their token records. Written here because no maintained better-sqlite3 session store
// exists; it is small: expiry in the row, reads that ignore expired rows, a periodic sweep, and throttled
// touches so that a session in use does not cost a disk write on every request.
//
// better-sqlite3 is synchronous: a check and the write after it cannot interleave with another request of
// this process, and transactions make them atomic for other processes on the same file.
import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import Database from 'better-sqlite3';
import session from 'express-session';
import type { TokenRecord, TokenRecordInput, TokenStore } from '../tokens/token-store.js';
import type { Storage, StorageOptions } from './types.js';
import { openEventStores } from './account-events/index.js';
import { PerKeyThrottle } from './per-key-throttle.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** A touch that moves a session's expiry by less than this is skipped (ms). */
const TOUCH_THROTTLE_MS = 60_000;
const TOKEN_SWEEP_EVERY_MS = 60_000;
/** The session's token record row, read by the same statement as the session (see SqliteSessionStore.get). */
const PREFETCH = Symbol('scopewise.tokenRecordRow');
type TokenRow = { record: string; version: number } | null;

function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') createPrivateFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Reads through a memory map: rows longer than about 1 KB (a token record holding every feature's scopes) spill
  // to overflow pages, which SQLite otherwise reads from the file with a system call on every read, never cached.
  db.pragma('mmap_size = 268435456');
  db.exec(`CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
  CREATE TABLE IF NOT EXISTS session_tombstones (
    sid TEXT PRIMARY KEY,
    expires INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS token_records (
    ref TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    record TEXT NOT NULL,
    expires INTEGER NOT NULL
  ) WITHOUT ROWID;`);
  if (file !== ':memory:') restrictSidecars(file);
  return db;
}

/** Token records in the `token_records` table; every write is a compare-and-set on the version. */
export class SqliteTokenStore implements TokenStore {
  private readonly stmts;
  private lastSweep = 0;

  constructor(
    db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = {
      get: db.prepare<[string, number], { record: string; version: number }>(
        'SELECT record, version FROM token_records WHERE ref = ? AND expires > ?',
      ),
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
      extend: db.prepare<[number, string, number]>(
        'UPDATE token_records SET expires = ? WHERE ref = ? AND expires > ?',
      ),
      delete: db.prepare<[string]>('DELETE FROM token_records WHERE ref = ?'),
      sweep: db.prepare<[number]>('DELETE FROM token_records WHERE expires <= ?'),
      refs: db.prepare<[number], { ref: string }>('SELECT ref FROM token_records WHERE expires > ?'),
    };
  }

  async get(ref: string): Promise<TokenRecord | null> {
    const row = this.stmts.get.get(ref, this.now());
    return row ? { ...(JSON.parse(row.record) as TokenRecordInput), version: row.version } : null;
  }

  async compareAndSet(
    ref: string,
    expectedVersion: number,
    next: TokenRecordInput,
    ttlMs: number,
  ): Promise<TokenRecord | null> {
    const now = this.now();
    const version = expectedVersion + 1;
    const json = JSON.stringify(next);
    const changes =
      expectedVersion === 0
        ? this.stmts.insert.run({ ref, version, record: json, expires: now + ttlMs, now }).changes
        : this.stmts.update.run(version, json, now + ttlMs, ref, expectedVersion, now).changes;
    // Expired records (with their sealed tokens) are deleted from time to time, on the write path too.
    if (now - this.lastSweep >= TOKEN_SWEEP_EVERY_MS) {
      this.lastSweep = now;
      this.sweep();
    }
    return changes === 1 ? { ...structuredClone(next), version } : null;
  }

  async delete(ref: string): Promise<void> {
    this.deleteNow(ref);
  }

  deleteNow(ref: string): void {
    this.stmts.delete.run(ref);
  }

  /** Moves a live record's expiry to `expires` (its session was renewed). */
  extendTo(ref: string, expires: number): void {
    this.stmts.extend.run(expires, ref, this.now());
  }

  sweep(): number {
    return this.stmts.sweep.run(this.now()).changes;
  }

  async *refs(): AsyncIterable<string> {
    for (const row of this.stmts.refs.all(this.now())) yield row.ref;
  }
}

export class SqliteSessionStore extends session.Store {
  /** The token record row read with each request's session; taken once by that request (Storage.takePrefetchedTokenRecord). */
  readonly prefetchedBy = new WeakMap<Request, TokenRow>();
  private readonly stmts: {
    get: Database.Statement<
      [number, string],
      { data: string; expires: number; record: string | null; version: number | null }
    >;
    upsert: Database.Statement<[string, string, number]>;
    isDead: Database.Statement<[string, number], { one: number }>;
    destroy: Database.Statement<[string]>;
    bury: Database.Statement<[string, number]>;
    touch: Database.Statement<{ expires: number; sid: string; now: number; throttle: number }>;
    sweep: Database.Statement<[number]>;
    sweepTombstones: Database.Statement<[number]>;
    count: Database.Statement<[number], { n: number }>;
    all: Database.Statement<[number], { sid: string; data: string; expires: number }>;
    clear: Database.Statement<[]>;
  };
  private readonly setTx: (sid: string, data: string, expires: number) => void;
  private readonly destroyTx: (sid: string) => void;
  /** When this process last wrote a touch for each session (skips the statement entirely in between). */
  private readonly touches = new PerKeyThrottle(TOUCH_THROTTLE_MS);

  constructor(
    db: Database.Database,
    private readonly tokens: SqliteTokenStore,
    private readonly idleTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.stmts = {
      // The session and its live token record in one statement: one read transaction per request, not two.
      get: db.prepare(
        'SELECT s.data, s.expires, t.record, t.version FROM sessions s LEFT JOIN token_records t ON t.ref = s.sid AND t.expires > ? WHERE s.sid = ?',
      ),
      upsert: db.prepare(
        'INSERT INTO sessions (sid, data, expires) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires = excluded.expires',
      ),
      isDead: db.prepare('SELECT 1 AS one FROM session_tombstones WHERE sid = ? AND expires > ?'),
      destroy: db.prepare('DELETE FROM sessions WHERE sid = ?'),
      bury: db.prepare(
        'INSERT INTO session_tombstones (sid, expires) VALUES (?, ?) ON CONFLICT(sid) DO UPDATE SET expires = excluded.expires',
      ),
      touch: db.prepare(
        'UPDATE sessions SET expires = @expires WHERE sid = @sid AND expires > @now AND @expires - expires >= @throttle',
      ),
      sweep: db.prepare('DELETE FROM sessions WHERE expires <= ?'),
      sweepTombstones: db.prepare('DELETE FROM session_tombstones WHERE expires <= ?'),
      count: db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE expires > ?'),
      all: db.prepare('SELECT sid, data, expires FROM sessions WHERE expires > ?'),
      clear: db.prepare('DELETE FROM sessions'),
    };
    this.setTx = db.transaction((sid: string, data: string, expires: number) => {
      // A session destroyed meanwhile (sign-out while this request ran) stays destroyed.
      if (this.stmts.isDead.get(sid, this.now())) return;
      this.stmts.upsert.run(sid, data, expires);
      this.tokens.extendTo(sid, expires);
    });
    this.destroyTx = db.transaction((sid: string) => {
      this.stmts.destroy.run(sid);
      this.tokens.deleteNow(sid);
      this.stmts.bury.run(sid, this.now() + this.idleTtlMs);
    });
  }

  private expiryOf(sess: session.SessionData): number {
    const e = sess.cookie?.expires;
    if (e) return new Date(e).getTime();
    return this.now() + this.idleTtlMs;
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    try {
      const now = this.now();
      const row = this.stmts.get.get(now, sid);
      if (!row) {
        cb(null, null);
      } else if (row.expires <= now) {
        this.destroyTx(sid);
        cb(null, null);
      } else {
        const sess = JSON.parse(row.data) as session.SessionData;
        const token: TokenRow =
          row.record === null || row.version === null ? null : { record: row.record, version: row.version };
        Object.defineProperty(sess, PREFETCH, { value: token, enumerable: false });
        cb(null, sess);
      }
    } catch (err) {
      cb(err);
    }
  }

  override createSession(req: Request, sess: session.SessionData): session.Session & Partial<session.SessionData> {
    const token = (sess as unknown as Record<symbol, TokenRow | undefined>)[PREFETCH];
    if (token !== undefined) this.prefetchedBy.set(req, token);
    return super.createSession(req, sess);
  }

  /** The token record read with this request's session, once; undefined when this request read none. */
  takePrefetched(req: Request): Promise<TokenRecord | null> | undefined {
    if (!this.prefetchedBy.has(req)) return undefined;
    const row = this.prefetchedBy.get(req)!;
    this.prefetchedBy.delete(req);
    return Promise.resolve(row && { ...(JSON.parse(row.record) as TokenRecordInput), version: row.version });
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    try {
      this.setTx(sid, JSON.stringify(sess), this.expiryOf(sess));
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override destroy(sid: string, cb?: Callback): void {
    try {
      this.touches.forget(sid);
      this.destroyTx(sid);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    try {
      const now = this.now();
      if (!this.touches.pass(sid, now)) {
        cb?.();
        return;
      }
      const expires = this.expiryOf(sess);
      // Only write when the expiry moved by at least the throttle: a live session is never extended past its
      // cookie, and an idle one lapses at most TOUCH_THROTTLE_MS early. Its token record moves with it.
      if (this.stmts.touch.run({ expires, sid, now, throttle: TOUCH_THROTTLE_MS }).changes === 1)
        this.tokens.extendTo(sid, expires);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override length(cb: Callback<number>): void {
    try {
      cb(null, this.stmts.count.get(this.now())!.n);
    } catch (err) {
      cb(err);
    }
  }

  override all(cb: Callback<Record<string, session.SessionData>>): void {
    try {
      const out: Record<string, session.SessionData> = {};
      for (const row of this.stmts.all.all(this.now())) out[row.sid] = JSON.parse(row.data) as session.SessionData;
      cb(null, out);
    } catch (err) {
      cb(err);
    }
  }

  override clear(cb?: Callback): void {
    try {
      this.stmts.clear.run();
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  /** Deletes expired sessions, their token records and old tombstones; returns how many sessions went. */
  sweep(): number {
    const now = this.now();
    const n = this.stmts.sweep.run(now).changes;
    this.stmts.sweepTombstones.run(now);
    this.tokens.sweep();
    return n;
  }

  /** Raw rows, for maintenance and tests. */
  rawEntries(): Array<{ sid: string; data: string; expires: number }> {
    return this.stmts.all.all(this.now());
  }
}

export function openSqliteStorage(file: string, opts: StorageOptions): Storage {
  const now = opts.now ?? Date.now;
  const db = openDatabase(file);
  const tokens = new SqliteTokenStore(db, now);
  const sessions = new SqliteSessionStore(db, tokens, opts.idleTtlMs, now);
  const interval = opts.sweepIntervalMs ?? 60_000;
  const timer = interval > 0 ? setInterval(() => sessions.sweep(), interval) : undefined;
  timer?.unref();
  return {
    kind: 'sqlite',
    sessions,
    tokens,
    lock: undefined,
    rateLimitStore: () => undefined,
    accounts: openEventStores({ kind: 'sqlite', db }, now),
    takePrefetchedTokenRecord: (req) => sessions.takePrefetched(req),
    isHealthy: async () => {
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (timer) clearInterval(timer);
      if (db.open) db.close();
    },
  };
}

function createPrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, 'a', 0o600);
  fs.closeSync(fd);
  fs.chmodSync(file, 0o600);
}

function restrictSidecars(file: string): void {
  for (const suffix of ['-wal', '-shm']) {
    const f = file + suffix;
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
}
