// "Every session of this Google account signed in at or before T is over": what sessions-revoked and
// account-disabled leave behind, in one atomic write, before anything else of their reaction runs. The session
// middleware checks it on each request (src/sessions/middleware.ts), so the decision holds even when the rest of
// the reaction (ending each session and its tokens) is cut short, or cannot find a session.
//
// Concurrency: a write keeps the later cutoff and the later lapse time (a Lua script, one SQLite statement, or a
// synchronous Map update), so racing or out-of-order events from several instances end at the latest decision.
// An entry lapses when no session signed in before its cutoff can still be alive (the absolute lifetime).
import type Database from 'better-sqlite3';
import { evalScript, REDIS_EVENTS_PREFIX, type RedisCommands } from './redis-commands.js';

export interface SessionCutoffs {
  /** Sessions of `sub` signed in at or before `before` (ms) are over; the entry lapses at `expiresAt` (exclusive). */
  endBefore(sub: string, before: number, expiresAt: number): Promise<void>;
  /** The cutoff in force for `sub` (ms), or null. */
  cutoff(sub: string): Promise<number | null>;
}

export class MemorySessionCutoffs implements SessionCutoffs {
  private readonly entries = new Map<string, { before: number; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  async endBefore(sub: string, before: number, expiresAt: number): Promise<void> {
    const cur = this.live(sub);
    this.entries.set(sub, {
      before: Math.max(before, cur?.before ?? before),
      expiresAt: Math.max(expiresAt, cur?.expiresAt ?? expiresAt),
    });
  }

  async cutoff(sub: string): Promise<number | null> {
    return this.live(sub)?.before ?? null;
  }

  private live(sub: string) {
    const e = this.entries.get(sub);
    if (e && e.expiresAt <= this.now()) {
      this.entries.delete(sub);
      return undefined;
    }
    return e;
  }
}

export class SqliteSessionCutoffs implements SessionCutoffs {
  private readonly write: Database.Statement<{ sub: string; cutoff: number; expires: number; now: number }>;
  private readonly read: Database.Statement<[string, number], { cutoff: number }>;
  private readonly sweep: Database.Statement<[number]>;
  private lastSweep = 0;

  constructor(
    db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS risc_session_cutoff (
      sub TEXT PRIMARY KEY, cutoff INTEGER NOT NULL, expires INTEGER NOT NULL
    ) WITHOUT ROWID`);
    // A lapsed entry is replaced outright; a live one keeps the later cutoff and the later lapse time.
    this.write = db.prepare(
      `INSERT INTO risc_session_cutoff (sub, cutoff, expires) VALUES (@sub, @cutoff, @expires)
       ON CONFLICT(sub) DO UPDATE SET
         cutoff = CASE WHEN risc_session_cutoff.expires <= @now THEN excluded.cutoff ELSE MAX(risc_session_cutoff.cutoff, excluded.cutoff) END,
         expires = CASE WHEN risc_session_cutoff.expires <= @now THEN excluded.expires ELSE MAX(risc_session_cutoff.expires, excluded.expires) END`,
    );
    this.read = db.prepare('SELECT cutoff FROM risc_session_cutoff WHERE sub = ? AND expires > ?');
    this.sweep = db.prepare('DELETE FROM risc_session_cutoff WHERE expires <= ?');
  }

  async endBefore(sub: string, before: number, expiresAt: number): Promise<void> {
    const now = this.now();
    this.write.run({ sub, cutoff: before, expires: expiresAt, now });
    if (now - this.lastSweep > 3_600_000) {
      this.lastSweep = now;
      this.sweep.run(now);
    }
  }

  async cutoff(sub: string): Promise<number | null> {
    return this.read.get(sub, this.now())?.cutoff ?? null;
  }
}

// One key per account, value = the cutoff (ms), PX = until the entry lapses. Keeps the later of both.
const END_BEFORE = `
local cur = redis.call('GET', KEYS[1])
local before = ARGV[1]
if cur and tonumber(cur) > tonumber(before) then before = cur end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > ttl then ttl = left end
redis.call('SET', KEYS[1], before, 'PX', ttl)
return 1`;

export class RedisSessionCutoffs implements SessionCutoffs {
  constructor(
    private readonly redis: RedisCommands,
    private readonly now: () => number = Date.now,
    private readonly prefix = `${REDIS_EVENTS_PREFIX}risc:sessions-ended:`,
  ) {}

  async endBefore(sub: string, before: number, expiresAt: number): Promise<void> {
    const ttl = Math.max(1, Math.round(expiresAt - this.now()));
    await evalScript(this.redis, END_BEFORE, [this.prefix + sub], [String(before), String(ttl)]);
  }

  async cutoff(sub: string): Promise<number | null> {
    const raw = (await this.redis.sendCommand(['GET', this.prefix + sub])) as string | null;
    return raw === null ? null : Number(raw);
  }
}
