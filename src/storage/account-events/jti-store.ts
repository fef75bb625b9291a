// Which security event tokens were already acted on, by `jti` (scoped to the issuer by the caller), so that a
// redelivered or replayed token changes nothing the second time. Shared by all instances on Redis.
import type Database from 'better-sqlite3';
import { REDIS_EVENTS_PREFIX, type RedisCommands } from './redis-commands.js';

export interface JtiStore {
  /** True exactly once per live key, however many callers race (on one instance or many). */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Forgets a claim, so a delivery whose reaction failed can be retried by the transmitter. */
  release(key: string): Promise<void>;
}

export class MemoryJtiStore implements JtiStore {
  private readonly claims = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const expires = this.claims.get(key);
    if (expires !== undefined && expires > now) return false;
    this.claims.set(key, now + ttlMs);
    if (this.claims.size % 1024 === 0) for (const [k, e] of this.claims) if (e <= now) this.claims.delete(k);
    return true;
  }

  async release(key: string): Promise<void> {
    this.claims.delete(key);
  }
}

export class SqliteJtiStore implements JtiStore {
  private readonly claim: Database.Statement<{ key: string; expires: number; now: number }>;
  private readonly remove: Database.Statement<[string]>;
  private readonly sweep: Database.Statement<[number]>;
  private lastSweep = 0;

  constructor(
    db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS risc_jti (key TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID');
    // Inserts, or takes over a claim that has expired; a live claim makes it change nothing (0 rows).
    this.claim = db.prepare(
      `INSERT INTO risc_jti (key, expires) VALUES (@key, @expires)
       ON CONFLICT(key) DO UPDATE SET expires = excluded.expires WHERE risc_jti.expires <= @now`,
    );
    this.remove = db.prepare('DELETE FROM risc_jti WHERE key = ?');
    this.sweep = db.prepare('DELETE FROM risc_jti WHERE expires <= ?');
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    // better-sqlite3 is synchronous and SQLite serialises writers: the check and the write are one statement.
    const changes = this.claim.run({ key, expires: now + ttlMs, now }).changes;
    if (now - this.lastSweep > 3_600_000) {
      this.lastSweep = now;
      this.sweep.run(now);
    }
    return changes === 1;
  }

  async release(key: string): Promise<void> {
    this.remove.run(key);
  }
}

export class RedisJtiStore implements JtiStore {
  constructor(
    private readonly redis: RedisCommands,
    private readonly prefix = `${REDIS_EVENTS_PREFIX}risc:jti:`,
  ) {}

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    // SET NX is atomic on the server: of two instances, exactly one gets OK.
    const reply = await this.redis.sendCommand([
      'SET',
      this.prefix + key,
      '1',
      'NX',
      'PX',
      String(Math.max(1, Math.round(ttlMs))),
    ]);
    return reply === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.sendCommand(['DEL', this.prefix + key]);
  }
}
