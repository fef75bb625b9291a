// Which security event tokens were acted on, by `jti` (scoped to the issuer by the caller), so that a
// redelivered or replayed token changes nothing the second time, and so that a reaction cut short (the process
// died, the store blipped) is never mistaken for one that finished. Shared by all instances on Redis.
//
// A claim is first *pending*, with a deadline (the lease): the claimant reacts, then marks it *done*. A pending
// claim whose deadline has passed belongs to a reaction that will never finish; the next delivery takes it over.
// Every record lapses when its token's acceptance window ends: after that the token itself is refused as too old.
import type Database from 'better-sqlite3';
import { evalScript, REDIS_EVENTS_PREFIX, type RedisCommands } from './redis-commands.js';

/** `claimed`: react now; `in-progress`: another delivery is reacting (ask to deliver again); `done`: a duplicate. */
export type ClaimState = 'claimed' | 'in-progress' | 'done';

export interface JtiClaim {
  /** Until when (ms) the claimant may take to react; from then on a redelivery takes the claim over. */
  leaseUntil: number;
  /** When the record lapses (ms, exclusive), pending or done: the end of the token's acceptance window. */
  expiresAt: number;
}

export interface JtiStore {
  /**
   * One atomic step, however many callers race (on one instance or many): a key never seen, lapsed, or pending
   * past its deadline becomes pending until `leaseUntil` → `claimed`; pending before its deadline →
   * `in-progress`; done → `done`.
   */
  claim(key: string, claim: JtiClaim): Promise<ClaimState>;
  /** The reaction finished: the key is done (never taken over) until `expiresAt`. */
  complete(key: string, expiresAt: number): Promise<void>;
  /** The reaction failed: a pending claim is forgotten at once, so the transmitter's redelivery acts again. */
  release(key: string): Promise<void>;
}

interface MemoryRecord {
  expiresAt: number;
  /** Pending until then; undefined once done. */
  leaseUntil: number | undefined;
}

export class MemoryJtiStore implements JtiStore {
  private readonly records = new Map<string, MemoryRecord>();
  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, claim: JtiClaim): Promise<ClaimState> {
    const now = this.now();
    const cur = this.records.get(key);
    if (cur && cur.expiresAt > now) {
      if (cur.leaseUntil === undefined) return 'done';
      if (cur.leaseUntil > now) return 'in-progress';
    }
    this.records.set(key, { expiresAt: claim.expiresAt, leaseUntil: claim.leaseUntil });
    if (this.records.size % 1024 === 0)
      for (const [k, r] of this.records) if (r.expiresAt <= now) this.records.delete(k);
    return 'claimed';
  }

  async complete(key: string, expiresAt: number): Promise<void> {
    this.records.set(key, { expiresAt, leaseUntil: undefined });
  }

  async release(key: string): Promise<void> {
    if (this.records.get(key)?.leaseUntil !== undefined) this.records.delete(key);
  }
}

export class SqliteJtiStore implements JtiStore {
  private readonly claimTx: Database.Transaction<(key: string, claim: JtiClaim, now: number) => ClaimState>;
  private readonly done: Database.Statement<[string, number]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly sweep: Database.Statement<[number]>;
  private lastSweep = 0;

  constructor(
    db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS risc_jti (key TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID');
    // `lease`: the pending claim's deadline; NULL once done (rows written before claims had a deadline are done).
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(risc_jti)').all();
    if (!columns.some((c) => c.name === 'lease')) db.exec('ALTER TABLE risc_jti ADD COLUMN lease INTEGER');
    const take = db.prepare<{ key: string; expires: number; lease: number; now: number }>(
      `INSERT INTO risc_jti (key, expires, lease) VALUES (@key, @expires, @lease)
       ON CONFLICT(key) DO UPDATE SET expires = excluded.expires, lease = excluded.lease
       WHERE risc_jti.expires <= @now OR (risc_jti.lease IS NOT NULL AND risc_jti.lease <= @now)`,
    );
    const state = db.prepare<[string], { lease: number | null }>('SELECT lease FROM risc_jti WHERE key = ?');
    // One write transaction: the take-over and the read of what stopped it cannot interleave with another writer.
    this.claimTx = db.transaction((key: string, claim: JtiClaim, now: number): ClaimState => {
      if (take.run({ key, expires: claim.expiresAt, lease: claim.leaseUntil, now }).changes === 1) return 'claimed';
      return state.get(key)?.lease === null ? 'done' : 'in-progress';
    });
    this.done = db.prepare(
      `INSERT INTO risc_jti (key, expires, lease) VALUES (?, ?, NULL)
       ON CONFLICT(key) DO UPDATE SET expires = excluded.expires, lease = NULL`,
    );
    this.remove = db.prepare('DELETE FROM risc_jti WHERE key = ? AND lease IS NOT NULL');
    this.sweep = db.prepare('DELETE FROM risc_jti WHERE expires <= ?');
  }

  async claim(key: string, claim: JtiClaim): Promise<ClaimState> {
    const now = this.now();
    const result = this.claimTx.immediate(key, claim, now);
    if (now - this.lastSweep > 3_600_000) {
      this.lastSweep = now;
      this.sweep.run(now);
    }
    return result;
  }

  async complete(key: string, expiresAt: number): Promise<void> {
    this.done.run(key, expiresAt);
  }

  async release(key: string): Promise<void> {
    this.remove.run(key);
  }
}

// The value is `p:<deadline>` while pending, `d` once done (an older `1` is done too); the key's PX is the
// acceptance window. The deadline is compared with the caller's clock (ARGV), the lapse is the server's.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur then
  if string.sub(cur, 1, 2) ~= 'p:' then return 'done' end
  if tonumber(string.sub(cur, 3)) > tonumber(ARGV[1]) then return 'in-progress' end
end
redis.call('SET', KEYS[1], 'p:' .. ARGV[2], 'PX', ARGV[3])
return 'claimed'`;

const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, 2) == 'p:' then redis.call('DEL', KEYS[1]) end
return 1`;

export class RedisJtiStore implements JtiStore {
  constructor(
    private readonly redis: RedisCommands,
    private readonly now: () => number = Date.now,
    private readonly prefix = `${REDIS_EVENTS_PREFIX}risc:jti:`,
  ) {}

  /** PX for a record that lapses at `expiresAt` (exclusive), measured from now: never 0 (Redis refuses it). */
  private ttl(expiresAt: number): string {
    return String(Math.max(1, Math.round(expiresAt - this.now())));
  }

  async claim(key: string, claim: JtiClaim): Promise<ClaimState> {
    const reply = await evalScript(
      this.redis,
      CLAIM,
      [this.prefix + key],
      [String(this.now()), String(claim.leaseUntil), this.ttl(claim.expiresAt)],
    );
    return String(reply) as ClaimState;
  }

  async complete(key: string, expiresAt: number): Promise<void> {
    await this.redis.sendCommand(['SET', this.prefix + key, 'd', 'PX', this.ttl(expiresAt)]);
  }

  async release(key: string): Promise<void> {
    await evalScript(this.redis, RELEASE, [this.prefix + key], []);
  }
}
