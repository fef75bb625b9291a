// The Redis backend: both contracts on the test Redis, the read-ahead of a session's token record, then
// outages on a redis-server of our own (killed and started again): fail fast while it is away, reconnect by
// itself, lose nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type session from 'express-session';
import { createClient } from 'redis';
import { createLogger } from '../../src/log/logger.js';
import { openRedisStorage } from '../../src/storage/redis.js';
import type { Storage } from '../../src/storage/types.js';
import { startStack, type Stack } from '../support/stack.js';
import { REDIS_URL, redisUnavailable } from '../support/redis.js';
import { assertPrefetchServesItsRequestOnce, runStoreContract, sessionData } from './session-store-contract.js';
import { collect, rec, runTokenStoreContract } from './token-store-contract.js';
import { RedisChild } from '../support/redis.js';

const skip = await redisUnavailable();
if (skip) console.log(`# skipping the Redis contracts: ${skip}`);
const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cb = <T>(fn: (done: (err?: unknown, v?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));

async function dropKeys(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if ((keys as unknown as string[]).length) await client.del(keys as unknown as string[]);
  }
  await client.close();
}

/**
 * Lets `ms` pass for the keys under `prefix` as Redis would: each key's remaining lifetime shrinks by `ms`, and a
 * key whose lifetime runs out is gone. Keys without an expiry are left alone.
 */
async function ageKeys(prefix: string, ms: number): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      for (const key of keys as unknown as string[]) {
        const left = await client.pTTL(key);
        if (left < 0) continue;
        if (left <= ms) await client.del(key);
        else await client.pExpire(key, left - ms);
      }
    }
  } finally {
    await client.close();
  }
}

const IDLE_TTL_MS = 60_000;

async function openTestStorage(): Promise<{ storage: Storage; prefix: string; close(): Promise<void> }> {
  const prefix = `scopewise-test:${process.pid}:${crypto.randomBytes(4).toString('hex')}:`;
  const storage = await openRedisStorage(REDIS_URL, { idleTtlMs: IDLE_TTL_MS, logger, redisPrefix: prefix });
  return {
    storage,
    prefix,
    async close() {
      await storage.close();
      await dropKeys(prefix);
    },
  };
}

if (skip) {
  test('redis: storage contracts', { skip }, () => undefined);
} else {
  runStoreContract('redis', async () => {
    const t = await openTestStorage();
    return {
      store: t.storage.sessions,
      storage: t.storage,
      idleTtlMs: IDLE_TTL_MS,
      passTime: async (ms) => {
        await ageKeys(t.prefix, ms);
        return () => undefined;
      },
      close: t.close,
    };
  });
  runTokenStoreContract('redis', async () => {
    const t = await openTestStorage();
    return { store: t.storage.tokens, close: t.close };
  });
}

test('redis: token records live under the prefix, with a TTL', { skip }, async () => {
  const t = await openTestStorage();
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    await t.storage.tokens.compareAndSet('r1', 0, rec(), 5000);
    const ttl = await client.pTTL(`${t.prefix}tokens:r1`);
    assert.ok(ttl > 0 && ttl <= 5000, `pttl ${ttl}`);
    assert.deepEqual(await collect(t.storage.tokens.refs()), ['r1']);
  } finally {
    await client.close();
    await t.close();
  }
});

test('redis: a tombstone lives for the idle lifetime, in milliseconds (PTTL)', { skip }, async () => {
  const t = await openTestStorage();
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    await cb((done) => t.storage.sessions.set('gone', sessionData({ user: { sub: '1' } }), done));
    await cb((done) => t.storage.sessions.destroy('gone', done));
    const left = await client.pTTL(`${t.prefix}dead:gone`);
    assert.ok(
      left > IDLE_TTL_MS - 5000 && left <= IDLE_TTL_MS,
      `tombstone PTTL ${left} ms, idle lifetime ${IDLE_TTL_MS} ms`,
    );
    assert.equal(await client.exists(`${t.prefix}sess:gone`), 0, 'the session itself is gone');
  } finally {
    await client.close();
    await t.close();
  }
});

test('redis: the token record read with a session serves only the request that read it, once', { skip }, async () => {
  const t = await openTestStorage();
  try {
    const { storage } = t;
    await new Promise<void>((resolve, reject) =>
      storage.sessions.set('s1', sessionData({ user: { sub: '1' } }), (e) => (e ? reject(e) : resolve())),
    );
    await assertPrefetchServesItsRequestOnce(storage, 's1');
  } finally {
    await t.close();
  }
});

function nextEvent(store: session.Store, event: 'connect' | 'disconnect', timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
    store.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const children: RedisChild[] = [];
after(async () => {
  for (const c of children) await c.stop();
});

test('redis restart: errors fast while down, reconnects by itself, the session survives intact', async () => {
  const redis = await RedisChild.start({ persistent: true });
  children.push(redis);
  const handle = await openRedisStorage(redis.url, { idleTtlMs: 60_000, logger });
  try {
    const store = handle.sessions;
    const data = sessionData(
      { user: { sub: '100000000000000000001', email: 'alice@example.com' }, signedInAt: 1 },
      10 * 60_000,
    );
    await cb((done) => store.set('sid-1', data, done));
    assert.equal(await handle.isHealthy(), true);

    const disconnected = nextEvent(store, 'disconnect', 2000);
    await redis.kill();
    await disconnected; // express-session now skips the store (the app answers 503)
    assert.equal(await handle.isHealthy(), false);

    for (const op of [
      (done: (err?: unknown) => void) => store.get('sid-1', done),
      (done: (err?: unknown) => void) => store.set('sid-2', sessionData({ v: 2 }), done),
      (done: (err?: unknown) => void) => store.touch!('sid-1', data, done),
    ]) {
      const started = Date.now();
      await assert.rejects(cb(op), (err: { status?: number; code?: string }) => {
        assert.equal(err.status, 503);
        assert.equal(err.code, 'SESSION_STORE_UNAVAILABLE');
        return true;
      });
      assert.ok(Date.now() - started < 500, `failed fast (${Date.now() - started} ms), no queueing`);
    }

    const connected = nextEvent(store, 'connect', 8000);
    await redis.restart();
    await connected;
    assert.equal(await handle.isHealthy(), true);
    const back = await cb<session.SessionData | null>((done) => store.get('sid-1', done));
    assert.deepEqual(
      JSON.parse(JSON.stringify(back)),
      JSON.parse(JSON.stringify(data)),
      'no session lost or corrupted',
    );
    await cb((done) => store.set('sid-2', sessionData({ v: 2 }), done));
  } finally {
    await handle.close();
  }
});

test('app on Redis: /me answers 503 JSON while Redis is down (no 500, no hang), and 200 with the same session after', async () => {
  const redis = await RedisChild.start({ persistent: true });
  children.push(redis);
  let stack: Stack | undefined;
  try {
    stack = await startStack({ env: { SESSION_STORE: redis.url } });
    const browser = await stack.signIn('alice@example.com');
    const me = async () => {
      const started = Date.now();
      const res = await browser.request(`${stack!.baseUrl}/me`, { signal: AbortSignal.timeout(5000) });
      return { res, ms: Date.now() - started, body: (await res.json()) as Record<string, unknown> };
    };
    const before = await me();
    assert.equal(before.res.status, 200);
    assert.equal(before.body.email, 'alice@example.com');
    const cookie = browser.cookie(new URL(stack.baseUrl).hostname, 'scopewise');

    await redis.kill();
    await sleep(50);
    for (let i = 0; i < 3; i++) {
      const down = await me();
      assert.equal(down.res.status, 503, `while down: ${JSON.stringify(down.body)}`);
      assert.equal(down.body.error, 'SESSION_STORE_UNAVAILABLE');
      assert.equal(down.res.headers.get('retry-after'), '5');
      assert.ok(down.ms < 5000);
    }
    const health = await fetch(`${stack.baseUrl}/healthz`);
    assert.equal(health.status, 503);
    await health.arrayBuffer();

    await redis.restart();
    let after: Awaited<ReturnType<typeof me>> | undefined;
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      after = await me();
      if (after.res.status === 200) break;
      await sleep(100);
    }
    assert.equal(after?.res.status, 200, 'back after the restart');
    assert.equal(after!.body.sub, before.body.sub, 'the same session');
    assert.equal(browser.cookie(new URL(stack.baseUrl).hostname, 'scopewise'), cookie, 'no new cookie was needed');
  } finally {
    await stack?.close();
  }
});
