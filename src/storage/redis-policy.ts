// Redis's eviction policy, checked at start. Scopewise's decisions that must outlive a request live in keys with
// a TTL (tombstones of destroyed sessions, account-event claims and cutoffs, the subject index): a policy that
// evicts keys under memory pressure — `volatile-*` evicts exactly those first, `allkeys-*` any — can silently
// bring a signed-out session back or let an account event act twice. `noeviction` makes a full Redis refuse
// writes instead: requests answer 503, nothing security-relevant is undone.
//
// The policy (a refusal is fail closed; a warning is what cannot be verified):
//   noeviction                                  → fine.
//   an evicting policy and a memory limit        → refuse to start: eviction would happen; set noeviction.
//   an evicting policy without a memory limit    → warn: nothing is evicted until a limit is set.
//   CONFIG GET not allowed (managed services,   → warn: cannot be verified; the operator must set it.
//   ACLs, a renamed command)
// Redis documentation, "Key eviction" (https://redis.io/docs/latest/develop/reference/eviction/, read
// 2026-12-07): maxmemory 0 means no limit on 64-bit systems; noeviction returns errors on writes over the limit.
import type { Logger } from '../log/logger.js';

export interface EvictionSettings {
  policy: string;
  /** Bytes; 0 = no limit. */
  maxmemory: number;
}

export interface EvictionVerdict {
  level: 'ok' | 'warn' | 'refuse';
  message: string;
  /** What the health detail shows. */
  finding: { maxmemoryPolicy: string; maxmemory?: number; verdict: 'ok' | 'warn' | 'refuse' };
}

const FIX =
  'set maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction and in redis.conf; on a managed service, in its configuration: Memorystore and ElastiCache call it maxmemory-policy)';

export function evictionVerdict(settings: EvictionSettings | 'unreadable'): EvictionVerdict {
  if (settings === 'unreadable')
    return {
      level: 'warn',
      message: `Redis does not allow reading its eviction policy (CONFIG GET): make sure it is noeviction, or a signed-out session could come back and an account event act twice under memory pressure; ${FIX}`,
      finding: { maxmemoryPolicy: 'unknown', verdict: 'warn' },
    };
  const { policy, maxmemory } = settings;
  const finding = { maxmemoryPolicy: policy, maxmemory };
  if (policy === 'noeviction')
    return { level: 'ok', message: 'Redis evicts nothing (noeviction)', finding: { ...finding, verdict: 'ok' } };
  if (maxmemory > 0)
    return {
      level: 'refuse',
      message: `Redis evicts keys when it is full (maxmemory-policy ${policy}, maxmemory ${maxmemory} bytes): a signed-out session could come back and an account event act twice; ${FIX}`,
      finding: { ...finding, verdict: 'refuse' },
    };
  return {
    level: 'warn',
    message: `Redis has maxmemory-policy ${policy}: nothing is evicted while maxmemory is 0 (no limit), but it will be once a limit is set; ${FIX}`,
    finding: { ...finding, verdict: 'warn' },
  };
}

/** Redis would evict Scopewise's keys: the start stops, with what to set. */
export class RedisPolicyError extends Error {
  readonly code = 'REDIS_EVICTION_POLICY';
  constructor(message: string) {
    super(message);
    this.name = 'RedisPolicyError';
  }
}

/** The one command this check needs from a Redis client. */
export interface ConfigReader {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Reads the policy (null when CONFIG GET is not allowed). */
export async function readEvictionSettings(redis: ConfigReader): Promise<EvictionSettings | 'unreadable'> {
  try {
    const reply = (await redis.sendCommand(['CONFIG', 'GET', 'maxmemory*'])) as string[] | Record<string, string>;
    const pairs = Array.isArray(reply)
      ? Object.fromEntries(reply.flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : [])))
      : reply;
    const policy = pairs['maxmemory-policy'];
    if (typeof policy !== 'string') return 'unreadable';
    return { policy, maxmemory: Number(pairs['maxmemory'] ?? 0) || 0 };
  } catch {
    return 'unreadable';
  }
}

/** Checks the policy at start: throws RedisPolicyError (refuse), logs a warning, or logs nothing (ok). */
export async function checkEvictionPolicy(redis: ConfigReader, logger: Logger): Promise<EvictionVerdict> {
  const verdict = evictionVerdict(await readEvictionSettings(redis));
  if (verdict.level === 'refuse') throw new RedisPolicyError(verdict.message);
  if (verdict.level === 'warn') logger.warn({ code: 'REDIS_EVICTION_POLICY', ...verdict.finding }, verdict.message);
  return verdict;
}
