// Sessions by Google `sub`, so that an account event ends every session of a user on every instance (the
// session store itself is keyed by session id only), and so that the account page can list a user's sessions.
//
// Concurrency: entries are per (sub, session id), so two instances adding or removing different sessions never
// overwrite each other (one hash field / one row each); `touch` changes an entry only while it exists, so a
// late touch cannot bring back a session that another instance just removed.
import type Database from 'better-sqlite3';
import { evalScript, REDIS_EVENTS_PREFIX, type RedisCommands } from './redis-commands.js';

export interface SessionMeta {
  createdAt: number;
  lastSeenAt: number;
  /** Trimmed to 256 characters. */
  userAgent?: string;
  ip?: string;
}

export interface IndexedSession extends SessionMeta {
  sessionId: string;
  /** When the entry lapses (the session's absolute end). */
  expiresAt: number;
}

export interface SubjectIndex {
  /** Records (or replaces) a session of `sub`; the entry lapses after `ttlMs`. */
  add(sub: string, sessionId: string, meta: SessionMeta, ttlMs: number): Promise<void>;
  /** Moves `lastSeenAt` forward (never back). False when the entry is gone: nothing is written then. */
  touch(sub: string, sessionId: string, lastSeenAt: number): Promise<boolean>;
  remove(sub: string, sessionId: string): Promise<void>;
  /** Live entries, most recently seen first. */
  list(sub: string): Promise<IndexedSession[]>;
}

const MAX_UA = 256;
const MAX_IP = 64;

export function cleanMeta(meta: SessionMeta): SessionMeta {
  return {
    createdAt: meta.createdAt,
    lastSeenAt: meta.lastSeenAt,
    ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, MAX_UA) } : {}),
    ...(meta.ip ? { ip: meta.ip.slice(0, MAX_IP) } : {}),
  };
}

function byLastSeen(a: IndexedSession, b: IndexedSession): number {
  return b.lastSeenAt - a.lastSeenAt || a.sessionId.localeCompare(b.sessionId);
}

export class MemorySubjectIndex implements SubjectIndex {
  private readonly bySub = new Map<string, Map<string, IndexedSession>>();
  constructor(private readonly now: () => number = Date.now) {}

  async add(sub: string, sessionId: string, meta: SessionMeta, ttlMs: number): Promise<void> {
    let m = this.bySub.get(sub);
    if (!m) {
      m = new Map();
      this.bySub.set(sub, m);
    }
    m.set(sessionId, { ...cleanMeta(meta), sessionId, expiresAt: this.now() + ttlMs });
  }

  async touch(sub: string, sessionId: string, lastSeenAt: number): Promise<boolean> {
    const e = this.bySub.get(sub)?.get(sessionId);
    if (!e || e.expiresAt <= this.now()) return false;
    e.lastSeenAt = Math.max(e.lastSeenAt, lastSeenAt);
    return true;
  }

  async remove(sub: string, sessionId: string): Promise<void> {
    const m = this.bySub.get(sub);
    m?.delete(sessionId);
    if (m && m.size === 0) this.bySub.delete(sub);
  }

  async list(sub: string): Promise<IndexedSession[]> {
    const m = this.bySub.get(sub);
    if (!m) return [];
    const now = this.now();
    for (const [id, e] of m) if (e.expiresAt <= now) m.delete(id);
    return [...m.values()].map((e) => ({ ...e })).sort(byLastSeen);
  }
}

export class SqliteSubjectIndex implements SubjectIndex {
  private readonly stmts;

  constructor(
    db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS risc_subject_sessions (
      sub TEXT NOT NULL,
      session_id TEXT NOT NULL,
      meta TEXT NOT NULL,
      last_seen INTEGER NOT NULL,
      expires INTEGER NOT NULL,
      PRIMARY KEY (sub, session_id)
    ) WITHOUT ROWID`);
    this.stmts = {
      upsert: db.prepare<{ sub: string; sid: string; meta: string; lastSeen: number; expires: number }>(
        `INSERT INTO risc_subject_sessions (sub, session_id, meta, last_seen, expires) VALUES (@sub, @sid, @meta, @lastSeen, @expires)
         ON CONFLICT(sub, session_id) DO UPDATE SET meta = excluded.meta, last_seen = excluded.last_seen, expires = excluded.expires`,
      ),
      touch: db.prepare<{ sub: string; sid: string; lastSeen: number; now: number }>(
        `UPDATE risc_subject_sessions SET last_seen = MAX(last_seen, @lastSeen)
         WHERE sub = @sub AND session_id = @sid AND expires > @now`,
      ),
      remove: db.prepare<[string, string]>('DELETE FROM risc_subject_sessions WHERE sub = ? AND session_id = ?'),
      list: db.prepare<[string, number], { session_id: string; meta: string; last_seen: number; expires: number }>(
        'SELECT session_id, meta, last_seen, expires FROM risc_subject_sessions WHERE sub = ? AND expires > ?',
      ),
      prune: db.prepare<[string, number]>('DELETE FROM risc_subject_sessions WHERE sub = ? AND expires <= ?'),
    };
  }

  async add(sub: string, sessionId: string, meta: SessionMeta, ttlMs: number): Promise<void> {
    const clean = cleanMeta(meta);
    this.stmts.upsert.run({
      sub,
      sid: sessionId,
      meta: JSON.stringify(clean),
      lastSeen: clean.lastSeenAt,
      expires: this.now() + ttlMs,
    });
  }

  async touch(sub: string, sessionId: string, lastSeenAt: number): Promise<boolean> {
    return this.stmts.touch.run({ sub, sid: sessionId, lastSeen: lastSeenAt, now: this.now() }).changes === 1;
  }

  async remove(sub: string, sessionId: string): Promise<void> {
    this.stmts.remove.run(sub, sessionId);
  }

  async list(sub: string): Promise<IndexedSession[]> {
    const now = this.now();
    this.stmts.prune.run(sub, now);
    return this.stmts.list
      .all(sub, now)
      .map((r) => ({
        ...(JSON.parse(r.meta) as SessionMeta),
        lastSeenAt: r.last_seen,
        sessionId: r.session_id,
        expiresAt: r.expires,
      }))
      .sort(byLastSeen);
  }
}

// One hash per sub: field = session id, value = JSON {meta…, expiresAt}. The key lives as long as its
// longest entry (PEXPIRE only ever extends it); expired fields are pruned by `list`.
const ADD = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
local cur = redis.call('PTTL', KEYS[1])
if cur < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

const TOUCH = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local e = cjson.decode(raw)
if tonumber(e.expiresAt) <= tonumber(ARGV[3]) then return 0 end
if tonumber(ARGV[2]) > tonumber(e.lastSeenAt) then
  e.lastSeenAt = tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
end
return 1`;

// Returns the live entries and deletes the expired ones in the same step (no window for a late re-add).
const LIST = `
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local e = cjson.decode(all[i + 1])
  if tonumber(e.expiresAt) <= tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], all[i])
  else
    live[#live + 1] = all[i]
    live[#live + 1] = all[i + 1]
  end
end
return live`;

export class RedisSubjectIndex implements SubjectIndex {
  constructor(
    private readonly redis: RedisCommands,
    private readonly now: () => number = Date.now,
    private readonly prefix = `${REDIS_EVENTS_PREFIX}subject:`,
  ) {}

  async add(sub: string, sessionId: string, meta: SessionMeta, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlMs));
    const entry = { ...cleanMeta(meta), expiresAt: this.now() + ttl };
    await evalScript(this.redis, ADD, [this.prefix + sub], [sessionId, JSON.stringify(entry), String(ttl)]);
  }

  async touch(sub: string, sessionId: string, lastSeenAt: number): Promise<boolean> {
    return (
      Number(
        await evalScript(this.redis, TOUCH, [this.prefix + sub], [sessionId, String(lastSeenAt), String(this.now())]),
      ) === 1
    );
  }

  async remove(sub: string, sessionId: string): Promise<void> {
    await this.redis.sendCommand(['HDEL', this.prefix + sub, sessionId]);
  }

  async list(sub: string): Promise<IndexedSession[]> {
    const flat = (await evalScript(this.redis, LIST, [this.prefix + sub], [String(this.now())])) as string[];
    const out: IndexedSession[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const e = JSON.parse(flat[i + 1]!) as SessionMeta & { expiresAt: number };
      out.push({ ...e, sessionId: flat[i]! });
    }
    return out.sort(byLastSeen);
  }
}
