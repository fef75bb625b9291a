// What account events leave behind for a Google `sub`: whether sign-in is blocked (account-disabled, until
// account-enabled or an operator clears it) and whether Google asked for a credential change (shown to the
// admin on their next page, until they acknowledge it).
//
// Concurrency and order: every decision carries the time of the event that caused it (the SET's iat, or now
// for an operator). A write only applies when it is not older than the decision stored, so a redelivered
// account-disabled cannot undo a later account-enabled, nor the reverse; at equal times, blocking wins (fail
// closed). Each write is one atomic step (a Lua script, one SQLite statement, or a synchronous Map update).
import type Database from 'better-sqlite3';
import { evalScript, REDIS_EVENTS_PREFIX, type RedisCommands } from './redis-commands.js';

export type BlockSource = 'risc' | 'operator';

export interface SignInDecision {
  sub: string;
  blocked: boolean;
  /** Why (account-disabled's reason: hijacking, bulk-account, unspecified; or the operator's note). */
  reason: string;
  source: BlockSource;
  /** The decision's time (ms): the event's iat, or when the operator acted. */
  at: number;
  /** The security event token that caused it, if any. */
  jti?: string;
}

export interface SignInBlockList {
  /** Records a block. False when a decision at least as recent (or a block at the same time) is stored. */
  block(decision: SignInDecision & { blocked: true }): Promise<boolean>;
  /** Lifts a block. False when a more recent (or same-time) decision is stored. */
  unblock(sub: string, at: number, source: BlockSource, reason?: string): Promise<boolean>;
  /** The block in force for `sub`, or null. */
  isBlocked(sub: string): Promise<SignInDecision | null>;
  /** Every block in force (for the operator). */
  listBlocked(): Promise<SignInDecision[]>;
}

export interface CredentialChangeFlag {
  sub: string;
  /** When Google asked (the event's iat, ms). */
  at: number;
}

export interface CredentialChangeFlags {
  /** Raises the flag (keeps the latest time). */
  flag(sub: string, at: number): Promise<void>;
  get(sub: string): Promise<CredentialChangeFlag | null>;
  /** Lowers the flag if it was raised no later than `seenAt` (a flag raised after the admin looked stays). */
  clear(sub: string, seenAt: number): Promise<boolean>;
}

/** Whether `next` may replace `stored`: newer wins; at the same time a block wins over an unblock. */
export function decisionApplies(
  stored: Pick<SignInDecision, 'at' | 'blocked'> | null | undefined,
  next: Pick<SignInDecision, 'at' | 'blocked'>,
): boolean {
  if (!stored) return true;
  if (next.at > stored.at) return true;
  return next.at === stored.at && next.blocked && !stored.blocked;
}

export class MemoryAccountState implements SignInBlockList, CredentialChangeFlags {
  private readonly decisions = new Map<string, SignInDecision>();
  private readonly flags = new Map<string, number>();

  async block(decision: SignInDecision & { blocked: true }): Promise<boolean> {
    return this.write({ ...decision });
  }

  async unblock(sub: string, at: number, source: BlockSource, reason = 'cleared'): Promise<boolean> {
    return this.write({ sub, blocked: false, reason, source, at });
  }

  private write(d: SignInDecision): boolean {
    if (!decisionApplies(this.decisions.get(d.sub), d)) return false;
    this.decisions.set(d.sub, d);
    return true;
  }

  async isBlocked(sub: string): Promise<SignInDecision | null> {
    const d = this.decisions.get(sub);
    return d?.blocked ? { ...d } : null;
  }

  async listBlocked(): Promise<SignInDecision[]> {
    return [...this.decisions.values()].filter((d) => d.blocked).map((d) => ({ ...d }));
  }

  async flag(sub: string, at: number): Promise<void> {
    this.flags.set(sub, Math.max(at, this.flags.get(sub) ?? Number.NEGATIVE_INFINITY));
  }

  async get(sub: string): Promise<CredentialChangeFlag | null> {
    const at = this.flags.get(sub);
    return at === undefined ? null : { sub, at };
  }

  async clear(sub: string, seenAt: number): Promise<boolean> {
    const at = this.flags.get(sub);
    if (at === undefined || at > seenAt) return false;
    this.flags.delete(sub);
    return true;
  }
}

interface DecisionRow {
  sub: string;
  blocked: number;
  reason: string;
  source: string;
  at: number;
  jti: string | null;
}

function fromRow(r: DecisionRow): SignInDecision {
  return {
    sub: r.sub,
    blocked: r.blocked === 1,
    reason: r.reason,
    source: r.source as BlockSource,
    at: r.at,
    ...(r.jti ? { jti: r.jti } : {}),
  };
}

export class SqliteAccountState implements SignInBlockList, CredentialChangeFlags {
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS risc_sign_in (
      sub TEXT PRIMARY KEY, blocked INTEGER NOT NULL, reason TEXT NOT NULL, source TEXT NOT NULL, at INTEGER NOT NULL, jti TEXT
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS risc_credential_change (sub TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;`);
    this.stmts = {
      // The WHERE clause is decisionApplies(), in SQL: one statement, so no writer slips in between.
      write: db.prepare<DecisionRow>(
        `INSERT INTO risc_sign_in (sub, blocked, reason, source, at, jti) VALUES (@sub, @blocked, @reason, @source, @at, @jti)
         ON CONFLICT(sub) DO UPDATE SET blocked = excluded.blocked, reason = excluded.reason, source = excluded.source, at = excluded.at, jti = excluded.jti
         WHERE excluded.at > risc_sign_in.at OR (excluded.at = risc_sign_in.at AND excluded.blocked = 1 AND risc_sign_in.blocked = 0)`,
      ),
      get: db.prepare<[string], DecisionRow>('SELECT * FROM risc_sign_in WHERE sub = ? AND blocked = 1'),
      list: db.prepare<[], DecisionRow>('SELECT * FROM risc_sign_in WHERE blocked = 1 ORDER BY at'),
      flag: db.prepare<[string, number]>(
        'INSERT INTO risc_credential_change (sub, at) VALUES (?, ?) ON CONFLICT(sub) DO UPDATE SET at = MAX(at, excluded.at)',
      ),
      getFlag: db.prepare<[string], { at: number }>('SELECT at FROM risc_credential_change WHERE sub = ?'),
      clear: db.prepare<[string, number]>('DELETE FROM risc_credential_change WHERE sub = ? AND at <= ?'),
    };
  }

  async block(d: SignInDecision & { blocked: true }): Promise<boolean> {
    return (
      this.stmts.write.run({ sub: d.sub, blocked: 1, reason: d.reason, source: d.source, at: d.at, jti: d.jti ?? null })
        .changes === 1
    );
  }

  async unblock(sub: string, at: number, source: BlockSource, reason = 'cleared'): Promise<boolean> {
    return this.stmts.write.run({ sub, blocked: 0, reason, source, at, jti: null }).changes === 1;
  }

  async isBlocked(sub: string): Promise<SignInDecision | null> {
    const r = this.stmts.get.get(sub);
    return r ? fromRow(r) : null;
  }

  async listBlocked(): Promise<SignInDecision[]> {
    return this.stmts.list.all().map(fromRow);
  }

  async flag(sub: string, at: number): Promise<void> {
    this.stmts.flag.run(sub, at);
  }

  async get(sub: string): Promise<CredentialChangeFlag | null> {
    const r = this.stmts.getFlag.get(sub);
    return r ? { sub, at: r.at } : null;
  }

  async clear(sub: string, seenAt: number): Promise<boolean> {
    return this.stmts.clear.run(sub, seenAt).changes === 1;
  }
}

// Sign-in decisions: one hash, field = sub, value = JSON decision. No expiry: a block lasts until lifted.
const WRITE_DECISION = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local nextAt = tonumber(ARGV[3])
local nextBlocked = ARGV[4] == '1'
if raw then
  local cur = cjson.decode(raw)
  local curAt = tonumber(cur.at)
  local applies = nextAt > curAt or (nextAt == curAt and nextBlocked and not cur.blocked)
  if not applies then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

const FLAG = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if (not cur) or tonumber(ARGV[2]) > tonumber(cur) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

const CLEAR_FLAG = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and tonumber(cur) <= tonumber(ARGV[2]) then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0`;

export class RedisAccountState implements SignInBlockList, CredentialChangeFlags {
  private readonly decisionsKey: string;
  private readonly flagsKey: string;

  constructor(
    private readonly redis: RedisCommands,
    prefix = `${REDIS_EVENTS_PREFIX}risc:`,
  ) {
    this.decisionsKey = `${prefix}sign-in`;
    this.flagsKey = `${prefix}credential-change`;
  }

  private async write(d: SignInDecision): Promise<boolean> {
    const reply = await evalScript(
      this.redis,
      WRITE_DECISION,
      [this.decisionsKey],
      [d.sub, JSON.stringify(d), String(d.at), d.blocked ? '1' : '0'],
    );
    return Number(reply) === 1;
  }

  async block(d: SignInDecision & { blocked: true }): Promise<boolean> {
    return this.write({ ...d });
  }

  async unblock(sub: string, at: number, source: BlockSource, reason = 'cleared'): Promise<boolean> {
    return this.write({ sub, blocked: false, reason, source, at });
  }

  async isBlocked(sub: string): Promise<SignInDecision | null> {
    const raw = (await this.redis.sendCommand(['HGET', this.decisionsKey, sub])) as string | null;
    if (!raw) return null;
    const d = JSON.parse(raw) as SignInDecision;
    return d.blocked ? d : null;
  }

  async listBlocked(): Promise<SignInDecision[]> {
    const values = (await this.redis.sendCommand(['HVALS', this.decisionsKey])) as string[];
    return values
      .map((v) => JSON.parse(v) as SignInDecision)
      .filter((d) => d.blocked)
      .sort((a, b) => a.at - b.at);
  }

  async flag(sub: string, at: number): Promise<void> {
    await evalScript(this.redis, FLAG, [this.flagsKey], [sub, String(at)]);
  }

  async get(sub: string): Promise<CredentialChangeFlag | null> {
    const raw = (await this.redis.sendCommand(['HGET', this.flagsKey, sub])) as string | null;
    return raw === null ? null : { sub, at: Number(raw) };
  }

  async clear(sub: string, seenAt: number): Promise<boolean> {
    return Number(await evalScript(this.redis, CLEAR_FLAG, [this.flagsKey], [sub, String(seenAt)])) === 1;
  }
}
