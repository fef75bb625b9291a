// What Scopewise keeps, behind one interface per backend (`sqlite`, `redis`, `memory`). Each backend
// provides all of it, so that nothing outside `src/storage/` ever holds a raw connection.
//
// Invariants every backend keeps (the contract suites in test/storage/ check them on all three):
// - A destroyed session stays destroyed: a late `set` of the same id (a slow request that loaded it before
//   sign-out) does not bring it back (a tombstone lives for the idle lifetime).
// - A session's token record is keyed by the session id, lives as long as the session (renewed with it), and
//   goes when the session is destroyed: no sealed refresh token outlives its session.
import type { Request } from 'express';
import type session from 'express-session';
import type { Store as RateLimitStore } from 'express-rate-limit';
import type { TokenRecord, TokenStore } from '../tokens/token-store.js';
import type { DistributedLock } from '../tokens/lock.js';
import type { Logger } from '../log/logger.js';
import type { EventStores } from './account-events/index.js';

export type StorageKind = 'sqlite' | 'redis' | 'memory';

export interface Storage {
  readonly kind: StorageKind;
  /** express-session's store (see the invariants above). */
  readonly sessions: session.Store;
  /** Token records, keyed by session id. */
  readonly tokens: TokenStore;
  /** A lock shared by every instance on this backend; undefined where one process owns the store. */
  readonly lock: DistributedLock | undefined;
  /**
   * Rate-limit counters shared by every instance, one store per limiter (`name` keeps their counters apart);
   * undefined: express-rate-limit's own in-process memory.
   */
  rateLimitStore(name: string): RateLimitStore | undefined;
  /** Account events: replayed security event tokens, sessions by user, sign-in blocks, credential notices. */
  readonly accounts: EventStores;
  /**
   * The token record that was read together with this request's session (Redis: in the same round trip), or
   * undefined when the backend does not read ahead. Each read serves only the request that made it, once.
   */
  takePrefetchedTokenRecord(req: Request): Promise<TokenRecord | null> | undefined;
  isHealthy(): Promise<boolean>;
  /** What the start-up checks found about the backend, for the health detail (Redis: its eviction policy). */
  findings?(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** The idle lifetime: how long a session (and its token record) lives without use; also the tombstones'. */
  idleTtlMs: number;
  logger: Logger;
  /** Redis only: the key prefix (default `scopewise:`). */
  redisPrefix?: string;
  /** SQLite only: how often expired rows are deleted (ms); 0 disables the timer (tests sweep by hand). */
  sweepIntervalMs?: number;
  now?: () => number;
}
