// One small interface over the session stores. express-session talks to `store`; the app asks
// `isHealthy()` for /healthz and closes it on shutdown. SQLite is the single-instance default, Redis
// the shared store for several instances, memory only for tests.
import session from 'express-session';
import { createClient } from 'redis';
import { RedisStore } from 'connect-redis';
import type { SessionStoreSpec } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { SqliteSessionStore } from './sqlite-store.js';
import { SessionUnavailableError } from './errors.js';

export interface SessionStoreHandle {
  kind: SessionStoreSpec['kind'];
  store: session.Store;
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
  /** The Redis connection, for the token store, the refresh lock and the rate limiter, when on Redis. */
  redis?: RedisConnection;
  /** The SQLite database, for the token store, when on SQLite. */
  sqlite?: import('better-sqlite3').Database;
  /**
   * Redis only: registers a function called with the session id whenever a session is read, in the same
   * tick, so that a read the request will need next (its token record) rides the same round trip.
   */
  onSessionRead?: (hook: (sid: string) => void) => void;
}

export type RedisConnection = ReturnType<typeof createRedisClient>;

function createRedisClient(url: string) {
  return createClient({
    url,
    // Fail fast while disconnected (the request gets a 503) instead of queueing forever.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2000),
    },
  });
}

export interface OpenStoreOptions {
  /** Lifetime given to a session that has no cookie expiry (ms). */
  defaultTtlMs: number;
  logger: Logger;
  redisPrefix?: string;
}

export async function openSessionStore(spec: SessionStoreSpec, opts: OpenStoreOptions): Promise<SessionStoreHandle> {
  switch (spec.kind) {
    case 'sqlite': {
      const store = new SqliteSessionStore({ file: spec.path, defaultTtlMs: opts.defaultTtlMs });
      return {
        kind: 'sqlite',
        store,
        sqlite: store.database,
        isHealthy: async () => store.isHealthy(),
        close: async () => store.close(),
      };
    }
    case 'memory': {
      const store = new session.MemoryStore();
      return { kind: 'memory', store, isHealthy: async () => true, close: async () => undefined };
    }
    case 'redis':
      return openRedisStore(spec.url, opts);
  }
}

export function createRedisConnection(url: string, logger: Logger): RedisConnection {
  const client = createRedisClient(url);
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ err: { message: err.message } }, 'redis connection error; reconnecting');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info('redis connection restored');
    down = false;
  });
  return client;
}

type StoreCallback = (err?: unknown, data?: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * connect-redis, with Redis outages made visible to express-session:
 * - the client's connection state is forwarded as the store's `disconnect`/`connect` events, so that
 *   express-session leaves `req.session` unset while Redis is away (the app answers 503) instead of
 *   failing every request with the client's error (a 500);
 * - a command that fails because the connection dropped under it (or the client is offline) fails with
 *   SessionUnavailableError (503, "nothing was lost"), not the raw client error.
 */
const TOUCH_THROTTLE_MS = 60_000;

class ResilientRedisStore extends RedisStore {
  constructor(private readonly connection: RedisConnection, prefix: string, ttlSeconds: number) {
    // Sessions carry no cookie expiry: their TTL is the idle lifetime, renewed when the session is saved
    // (the last-seen time is written at most once a minute) and by touches, throttled below.
    super({ client: connection, prefix, ttl: ttlSeconds });
    let up = connection.isReady;
    const down = () => {
      if (!up) return;
      up = false;
      this.emit('disconnect');
    };
    connection.on('error', () => {
      if (!connection.isReady) down();
    });
    connection.on('reconnecting', down);
    connection.on('end', down);
    connection.on('ready', () => {
      if (up) return;
      up = true;
      this.emit('connect');
    });
  }

  private guard(cb: StoreCallback | undefined): StoreCallback | undefined {
    if (!cb) return cb;
    return (err?: unknown, data?: unknown) => cb(err && isConnectionError(err, this.connection) ? new SessionUnavailableError() : err, data);
  }

  readonly readHooks: Array<(sid: string) => void> = [];
  override get(sid: string, cb?: StoreCallback) {
    // Issued before the GET in the same tick: node-redis writes both in one round trip.
    for (const hook of this.readHooks) hook(sid);
    return super.get(sid, this.guard(cb));
  }
  override set(sid: string, sess: session.SessionData, cb?: StoreCallback) {
    return super.set(sid, sess, this.guard(cb));
  }
  // express-session touches on every request that did not change the session: an EXPIRE round trip
  // each time. Once a minute per session and instance is enough for a TTL counted in minutes.
  private readonly touchedAt = new Map<string, number>();
  override touch(sid: string, sess: session.SessionData, cb?: StoreCallback) {
    const now = Date.now();
    const last = this.touchedAt.get(sid);
    if (last !== undefined && now - last < TOUCH_THROTTLE_MS) {
      cb?.();
      return Promise.resolve();
    }
    if (this.touchedAt.size >= 100_000) this.touchedAt.clear();
    this.touchedAt.set(sid, now);
    return super.touch(sid, sess, this.guard(cb));
  }
  override destroy(sid: string, cb?: StoreCallback) {
    return super.destroy(sid, this.guard(cb));
  }
}

function isConnectionError(err: unknown, connection: RedisConnection): boolean {
  if (!connection.isReady) return true;
  const name = (err as { name?: unknown; constructor?: { name?: unknown } })?.constructor?.name ?? (err as { name?: unknown }).name;
  return typeof name === 'string' && /ClientOffline|ClientClosed|SocketClosed|ConnectionTimeout|Reconnect/.test(name);
}

async function openRedisStore(url: string, opts: OpenStoreOptions): Promise<SessionStoreHandle> {
  const client = createRedisConnection(url, opts.logger);
  await client.connect();
  const store = new ResilientRedisStore(client, opts.redisPrefix ?? 'scopewise:sess:', Math.max(1, Math.ceil(opts.defaultTtlMs / 1000)));
  return {
    kind: 'redis',
    store,
    redis: client,
    onSessionRead: (hook) => store.readHooks.push(hook),
    isHealthy: async () => {
      if (!client.isReady) return false;
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}
