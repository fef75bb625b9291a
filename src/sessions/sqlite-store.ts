// express-session store on SQLite (better-sqlite3). The embedded default for a single instance.
// Written here because no maintained better-sqlite3 store exists; it is small: one table, expiry in the
// row, reads that ignore expired rows, a periodic sweep, and throttled touches so that a rolling session
// does not cost a disk write on every request.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import session from 'express-session';

type Callback<T = void> = (err?: unknown, value?: T) => void;

export interface SqliteStoreOptions {
  file: string;
  /** Lifetime of a session without a cookie expiry (ms). */
  defaultTtlMs: number;
  /** How often expired rows are deleted (ms); 0 disables the timer (tests sweep by hand). */
  sweepIntervalMs?: number;
  /** A touch that moves the expiry by less than this is skipped (ms). */
  touchThrottleMs?: number;
  now?: () => number;
}

export class SqliteSessionStore extends session.Store {
  private readonly db: Database.Database;
  private readonly defaultTtlMs: number;
  private readonly touchThrottleMs: number;
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private readonly stmts: {
    get: Database.Statement<[string], { data: string; expires: number }>;
    upsert: Database.Statement<[string, string, number]>;
    destroy: Database.Statement<[string]>;
    touch: Database.Statement<{ expires: number; sid: string; now: number; throttle: number }>;
    sweep: Database.Statement<[number]>;
    count: Database.Statement<[number], { n: number }>;
    all: Database.Statement<[number], { sid: string; data: string; expires: number }>;
    clear: Database.Statement<[]>;
  };

  constructor(opts: SqliteStoreOptions) {
    super();
    this.defaultTtlMs = opts.defaultTtlMs;
    this.touchThrottleMs = opts.touchThrottleMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    if (opts.file !== ':memory:') createPrivateFile(opts.file);
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS sessions (
      sid TEXT PRIMARY KEY,
      data TEXT NOT NULL,
      expires INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);`);
    if (opts.file !== ':memory:') restrictSidecars(opts.file);
    this.stmts = {
      get: this.db.prepare('SELECT data, expires FROM sessions WHERE sid = ?'),
      upsert: this.db.prepare(
        'INSERT INTO sessions (sid, data, expires) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires = excluded.expires',
      ),
      destroy: this.db.prepare('DELETE FROM sessions WHERE sid = ?'),
      touch: this.db.prepare(
        'UPDATE sessions SET expires = @expires WHERE sid = @sid AND expires > @now AND @expires - expires >= @throttle',
      ),
      sweep: this.db.prepare('DELETE FROM sessions WHERE expires <= ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE expires > ?'),
      all: this.db.prepare('SELECT sid, data, expires FROM sessions WHERE expires > ?'),
      clear: this.db.prepare('DELETE FROM sessions'),
    };
    const interval = opts.sweepIntervalMs ?? 60_000;
    if (interval > 0) {
      this.sweepTimer = setInterval(() => this.sweep(), interval);
      this.sweepTimer.unref();
    }
  }

  private expiryOf(sess: session.SessionData): number {
    const e = sess.cookie?.expires;
    if (e) return new Date(e).getTime();
    return this.now() + this.defaultTtlMs;
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    try {
      const row = this.stmts.get.get(sid);
      if (!row) return cb(null, null);
      if (row.expires <= this.now()) {
        this.stmts.destroy.run(sid);
        return cb(null, null);
      }
      cb(null, JSON.parse(row.data) as session.SessionData);
    } catch (err) {
      cb(err);
    }
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    try {
      this.stmts.upsert.run(sid, JSON.stringify(sess), this.expiryOf(sess));
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override destroy(sid: string, cb?: Callback): void {
    try {
      this.stmts.destroy.run(sid);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  /** When this process last wrote a touch for each session (skips the statement entirely in between). */
  private readonly touchedAt = new Map<string, number>();

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    try {
      const now = this.now();
      const last = this.touchedAt.get(sid);
      if (last !== undefined && now - last < this.touchThrottleMs) {
        cb?.();
        return;
      }
      if (this.touchedAt.size >= 100_000) this.touchedAt.clear();
      this.touchedAt.set(sid, now);
      const expires = this.expiryOf(sess);
      // Only write when the expiry moved by at least the throttle: a live session is never extended
      // past its cookie, and an idle one lapses at most `touchThrottleMs` early.
      this.stmts.touch.run({ expires, sid, now: this.now(), throttle: this.touchThrottleMs });
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

  /** Deletes expired sessions; returns how many went. */
  sweep(): number {
    return this.stmts.sweep.run(this.now()).changes;
  }

  /** Raw row access for maintenance commands (key rotation) and tests. */
  rawEntries(): Array<{ sid: string; data: string; expires: number }> {
    return this.stmts.all.all(this.now());
  }

  /** The open database, shared with the token store (same file, its own table). */
  get database(): Database.Database {
    return this.db;
  }

  isHealthy(): boolean {
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.db.open) this.db.close();
  }
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
