// The Redis backend (or Valkey; a single node or a managed service, TLS with rediss://): for several instances
// behind a load balancer. Keys, under one prefix (default `scopewise:`):
//   sess:<sid>    the session (connect-redis), TTL = idle lifetime, renewed by use
//   tokens:<sid>  its token record (a hash: v = version, r = record JSON), same TTL, renewed with the session
//   dead:<sid>    a tombstone: this session was destroyed, a late save must not bring it back
//   lock:<name>   the refresh lock; rl:<ip> rate-limit counters
//
// Sessions go through connect-redis; the writes that must be atomic with the token record or the tombstone
// (set, touch, destroy) are small Lua scripts. While Redis is away, express-session sees the store as
// disconnected (the app answers 503) and every command fails fast with SessionUnavailableError.
import crypto from 'node:crypto';
import type { Request } from 'express';
import type session from 'express-session';
import { createClient } from 'redis';
import { RedisStore } from 'connect-redis';
import { RedisStore as RateLimitRedisStore, type RedisReply } from 'rate-limit-redis';
import type { Logger } from '../log/logger.js';
import { SessionUnavailableError } from '../sessions/errors.js';
import type { DistributedLock, LockLease } from '../tokens/lock.js';
import type { TokenRecord, TokenRecordInput, TokenStore } from '../tokens/token-store.js';
import type { Storage, StorageOptions } from './types.js';
import { openEventStores } from './account-events/index.js';
import { PerKeyThrottle } from './per-key-throttle.js';
import { checkEvictionPolicy, type EvictionVerdict } from './redis-policy.js';

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

export interface RedisKeys {
  sess: string;
  tokens: string;
  dead: string;
  lock: string;
  rateLimit: string;
}

export function redisKeys(prefix = 'scopewise:'): RedisKeys {
  return {
    sess: `${prefix}sess:`,
    tokens: `${prefix}tokens:`,
    dead: `${prefix}dead:`,
    lock: `${prefix}lock:`,
    rateLimit: `${prefix}rl:`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Token records

// KEYS[1] = record key; ARGV = expectedVersion, newVersion, json, ttlMs.
const CAS_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], 'v')
local curv = 0
if cur then curv = tonumber(cur) end
if curv ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

export function parseTokenHash(h: Record<string, string> | null | undefined): TokenRecord | null {
  if (!h?.v || !h.r) return null;
  return { ...(JSON.parse(h.r) as TokenRecordInput), version: Number(h.v) };
}

export class RedisTokenStore implements TokenStore {
  constructor(
    private readonly client: RedisConnection,
    private readonly prefix = redisKeys().tokens,
  ) {}

  async get(ref: string): Promise<TokenRecord | null> {
    return parseTokenHash((await this.client.hGetAll(this.prefix + ref)) as Record<string, string>);
  }

  async compareAndSet(
    ref: string,
    expectedVersion: number,
    next: TokenRecordInput,
    ttlMs: number,
  ): Promise<TokenRecord | null> {
    const version = expectedVersion + 1;
    const ok = await this.client.eval(CAS_SCRIPT, {
      keys: [this.prefix + ref],
      arguments: [
        String(expectedVersion),
        String(version),
        JSON.stringify(next),
        String(Math.max(1, Math.round(ttlMs))),
      ],
    });
    return Number(ok) === 1 ? { ...structuredClone(next), version } : null;
  }

  async delete(ref: string): Promise<void> {
    await this.client.del(this.prefix + ref);
  }

  async *refs(): AsyncIterable<string> {
    for await (const keys of this.client.scanIterator({ MATCH: `${escapeGlob(this.prefix)}*`, COUNT: 200 })) {
      for (const k of keys as unknown as string[]) yield k.slice(this.prefix.length);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sessions

// KEYS = sess, tokens, dead; ARGV = json, ttlSeconds. A buried session stays buried; the record follows.
const SET_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;
// KEYS = sess, tokens; ARGV = ttlSeconds. Renews the record only while its session lives.
const TOUCH_SCRIPT = `
if redis.call('EXPIRE', KEYS[1], ARGV[1]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) return 1 end
return 0
`;
// KEYS = sess, tokens, dead; ARGV = tombstone ttlMs.
const DESTROY_SCRIPT = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[1])
return 1
`;

// biome-ignore lint/suspicious/noExplicitAny: the callback type of express-session's Store methods
type StoreCallback = (err?: unknown, data?: any) => any;

/** The read of a session's token record issued in the same tick as the session read (one round trip). */
const PREFETCH = Symbol('scopewise.tokenRecordRead');
/** Touches are throttled: once a minute per session and instance is enough for a TTL counted in minutes. */
const TOUCH_THROTTLE_MS = 60_000;

class RedisSessionStore extends RedisStore {
  readonly prefetchedBy = new WeakMap<Request, Promise<TokenRecord | null>>();
  private readonly touches = new PerKeyThrottle(TOUCH_THROTTLE_MS);

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
    private readonly tombstoneMs: number,
  ) {
    // Sessions carry no cookie expiry: their TTL is the idle lifetime, renewed when the session is saved
    // (the last-seen time is written at most once a minute) and by touches, throttled below.
    super({ client: connection, prefix: keys.sess, ttl: ttlSeconds });
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

  /** Seconds left: the cookie's expiry, or the idle lifetime for a browser-session cookie (ours). */
  private ttlOf(sess: session.SessionData): number {
    const e = sess.cookie?.expires;
    return e ? Math.ceil((new Date(e).getTime() - Date.now()) / 1000) : this.ttlSeconds;
  }

  private guard(cb: StoreCallback | undefined): StoreCallback | undefined {
    if (!cb) return cb;
    return (err?: unknown, data?: unknown) =>
      cb(err && isConnectionError(err, this.connection) ? new SessionUnavailableError() : err, data);
  }

  override get(sid: string, cb?: StoreCallback) {
    // Issued before the session's GET in the same tick: node-redis writes both in one round trip. The read is
    // handed to this request only (createSession below), never to another request of the same session.
    const read = (this.connection.hGetAll(this.keys.tokens + sid) as Promise<Record<string, string>>).then(
      parseTokenHash,
    );
    read.catch(() => undefined); // an unused read must not become an unhandled rejection
    const guarded = this.guard(cb);
    return super.get(sid, (err?: unknown, data?: unknown) => {
      if (data && typeof data === 'object') Object.defineProperty(data, PREFETCH, { value: read, enumerable: false });
      return guarded?.(err, data);
    });
  }

  override createSession(req: Request, sess: session.SessionData): session.Session & Partial<session.SessionData> {
    const read = (sess as unknown as Record<symbol, Promise<TokenRecord | null> | undefined>)[PREFETCH];
    if (read) this.prefetchedBy.set(req, read);
    return super.createSession(req, sess);
  }

  override async set(sid: string, sess: session.SessionData, cb?: StoreCallback) {
    const done = this.guard(cb);
    try {
      const ttl = this.ttlOf(sess);
      if (ttl <= 0) return void (await this.destroy(sid, cb));
      await this.connection.eval(SET_SCRIPT, {
        keys: [this.keys.sess + sid, this.keys.tokens + sid, this.keys.dead + sid],
        arguments: [JSON.stringify(sess), String(ttl)],
      });
      done?.();
    } catch (err) {
      done?.(err);
    }
  }

  override async touch(sid: string, sess: session.SessionData, cb?: StoreCallback) {
    if (!this.touches.pass(sid, Date.now())) {
      cb?.();
      return;
    }
    const done = this.guard(cb);
    try {
      await this.connection.eval(TOUCH_SCRIPT, {
        keys: [this.keys.sess + sid, this.keys.tokens + sid],
        arguments: [String(Math.max(1, this.ttlOf(sess)))],
      });
      done?.();
    } catch (err) {
      done?.(err);
    }
  }

  override async destroy(sid: string, cb?: StoreCallback) {
    this.touches.forget(sid);
    const done = this.guard(cb);
    try {
      await this.connection.eval(DESTROY_SCRIPT, {
        keys: [this.keys.sess + sid, this.keys.tokens + sid, this.keys.dead + sid],
        arguments: [String(this.tombstoneMs)],
      });
      done?.();
    } catch (err) {
      done?.(err);
    }
  }
}

function isConnectionError(err: unknown, connection: RedisConnection): boolean {
  if (!connection.isReady) return true;
  const name =
    (err as { name?: unknown; constructor?: { name?: unknown } })?.constructor?.name ??
    (err as { name?: unknown }).name;
  return typeof name === 'string' && /ClientOffline|ClientClosed|SocketClosed|ConnectionTimeout|Reconnect/.test(name);
}

// ---------------------------------------------------------------------------------------------------------
// The lock: SET NX PX with a random token, renewed while held, released only by its holder. Writes that
// follow are fenced by the token record's version, so a holder whose lease lapsed cannot overwrite a newer
// token even if it finishes late.

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export class RedisLock implements DistributedLock {
  constructor(
    private readonly client: RedisConnection,
    private readonly prefix = redisKeys().lock,
  ) {}

  async tryAcquire(name: string, ttlMs: number): Promise<LockLease | null> {
    const key = this.prefix + name;
    const token = crypto.randomBytes(16).toString('base64url');
    const ok = await this.client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    if (ok !== 'OK') return null;
    let held = true;
    let released = false;
    const client = this.client;
    const timer = setInterval(
      () => {
        client
          .eval(RENEW, { keys: [key], arguments: [token, String(ttlMs)] })
          .then((r) => {
            if (Number(r) !== 1) held = false;
          })
          .catch(() => {
            held = false;
          });
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    timer.unref();
    return {
      get held() {
        return held;
      },
      async release() {
        clearInterval(timer);
        if (released) return;
        released = true;
        held = false;
        // Always compare-and-delete, also after a failed renewal: the lock may still be ours (the renewal
        // failed on a network hiccup), and leaving it would make every peer wait for it to expire.
        await client.eval(RELEASE, { keys: [key], arguments: [token] }).catch(() => undefined);
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------------------

export async function openRedisStorage(url: string, opts: StorageOptions): Promise<Storage> {
  const keys = redisKeys(opts.redisPrefix);
  const client = createRedisConnection(url, opts.logger);
  await client.connect();
  let eviction: EvictionVerdict;
  try {
    eviction = await checkEvictionPolicy(client, opts.logger);
  } catch (err) {
    await client.close();
    throw err;
  }
  const ttlSeconds = Math.max(1, Math.ceil(opts.idleTtlMs / 1000));
  const sessions = new RedisSessionStore(client, keys, ttlSeconds, opts.idleTtlMs);
  return {
    kind: 'redis',
    sessions,
    tokens: new RedisTokenStore(client, keys.tokens),
    lock: new RedisLock(client, keys.lock),
    rateLimitStore: (name) =>
      new RateLimitRedisStore({
        prefix: `${keys.rateLimit}${name}:`,
        sendCommand: (...args: string[]) => client.sendCommand(args) as Promise<RedisReply>,
      }),
    accounts: openEventStores({ kind: 'redis', redis: client }, opts.now ?? Date.now),
    findings: () => ({ redis: eviction.finding }),
    takePrefetchedTokenRecord: (req) => {
      const read = sessions.prefetchedBy.get(req);
      if (read) sessions.prefetchedBy.delete(req);
      return read;
    },
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

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
