// The refresh lock on a real Redis: mutual exclusion, renewal while held, expiry, release by the holder only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createLogger } from '../../src/log/logger.js';
import { createRedisConnection, RedisLock, type RedisConnection } from '../../src/storage/redis.js';
import { REDIS_URL, redisUnavailable } from '../support/redis.js';

const skip = await redisUnavailable();
if (skip) console.log(`# skipping the Redis lock tests: ${skip}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = `scopewise-test:${process.pid}:${crypto.randomBytes(4).toString('hex')}:lock:`;

let a: RedisConnection;
let b: RedisConnection;
before(async () => {
  if (skip) return;
  a = createRedisConnection(REDIS_URL, createLogger('silent'));
  b = createRedisConnection(REDIS_URL, createLogger('silent'));
  await Promise.all([a.connect(), b.connect()]);
});
after(async () => {
  if (skip) return;
  for await (const keys of a.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if ((keys as unknown as string[]).length) await a.del(keys as unknown as string[]);
  }
  await Promise.all([a.close(), b.close()]);
});

let n = 0;
const name = () => `refresh:${n++}`;

test('only one of N concurrent tryAcquire wins (two connections, as two instances)', { skip }, async () => {
  const lockA = new RedisLock(a, prefix);
  const lockB = new RedisLock(b, prefix);
  const lockName = name();
  const leases = await Promise.all(
    Array.from({ length: 20 }, (_, i) => (i % 2 ? lockA : lockB).tryAcquire(lockName, 5000)),
  );
  const won = leases.filter((l) => l !== null);
  assert.equal(won.length, 1);
  assert.equal(won[0]!.held, true);
  await won[0]!.release();
  assert.equal(won[0]!.held, false);
  assert.equal(await a.exists(prefix + lockName), 0, 'released');
  const again = await lockB.tryAcquire(lockName, 5000);
  assert.ok(again, 'free again after release');
  await again.release();
});

test('release by a non-holder does nothing', { skip }, async () => {
  const lockName = name();
  const lease = (await new RedisLock(a, prefix).tryAcquire(lockName, 5000))!;
  // The lock now belongs to someone else (it expired and was taken) before this lease noticed.
  await b.set(prefix + lockName, 'someone-else', { expiration: { type: 'PX', value: 5000 } });
  assert.equal(lease.held, true, 'no renewal has run yet');
  await lease.release();
  assert.equal(await a.get(prefix + lockName), 'someone-else', "the other holder's lock is untouched");
  await a.del(prefix + lockName);
});

test('the lease renews while held, past its ttl', { skip }, async () => {
  const lock = new RedisLock(a, prefix);
  const lockName = name();
  const lease = (await lock.tryAcquire(lockName, 300))!;
  await sleep(1000); // more than three ttls
  assert.equal(lease.held, true);
  const ttl = await a.pTTL(prefix + lockName);
  assert.ok(ttl > 0 && ttl <= 300, `renewed, pttl ${ttl}`);
  assert.equal(await new RedisLock(b, prefix).tryAcquire(lockName, 300), null, 'still exclusive');
  await lease.release();
  assert.equal(await a.exists(prefix + lockName), 0);
});

test("after expiry another can take it; the old holder's held turns false and its release deletes only its own", {
  skip,
}, async () => {
  const lockName = name();
  // A holder whose renewals cannot reach Redis (a paused or partitioned instance): its lease lapses.
  const isolated = createRedisConnection(REDIS_URL, createLogger('silent'));
  await isolated.connect();
  const old = (await new RedisLock(isolated, prefix).tryAcquire(lockName, 300))!;
  assert.equal(old.held, true);
  await isolated.close(); // renewals now fail
  await sleep(450);
  const next = await new RedisLock(b, prefix).tryAcquire(lockName, 5000);
  assert.ok(next, 'taken over after expiry');
  await sleep(150);
  assert.equal(old.held, false, 'the old holder knows it lost the lock');
  await old.release();
  assert.ok(await a.exists(prefix + lockName), "the new holder's lock survives the old holder's release");
  assert.equal(next.held, true);
  await next.release();
  assert.equal(await a.exists(prefix + lockName), 0);
});

test('a renewal that finds the lock taken by someone else marks the lease lost', { skip }, async () => {
  const lockName = name();
  const lease = (await new RedisLock(a, prefix).tryAcquire(lockName, 300))!;
  // Someone else's token appears under the key (e.g. after a failover lost our write).
  await b.set(prefix + lockName, 'someone-else', { expiration: { type: 'PX', value: 5000 } });
  await sleep(250);
  assert.equal(lease.held, false);
  await lease.release();
  assert.equal(await a.get(prefix + lockName), 'someone-else');
});

test('a renewal that failed on a network hiccup still releases the lock: peers do not wait for it to expire', {
  skip,
}, async () => {
  const lockName = name();
  let failRenewals = true;
  // The holder's connection drops one renewal (the script that extends the lock), then works again.
  const flaky = {
    set: a.set.bind(a),
    eval: (script: string, options: Parameters<RedisConnection['eval']>[1]) =>
      failRenewals && script.includes('PEXPIRE') ? Promise.reject(new Error('socket hiccup')) : a.eval(script, options),
  } as unknown as RedisConnection;
  const lease = (await new RedisLock(flaky, prefix).tryAcquire(lockName, 3000))!;
  await sleep(1100); // one renewal (every ttl/3) has failed
  assert.equal(lease.held, false, 'the holder no longer counts on the lock');
  failRenewals = false;
  await lease.release();
  assert.equal(await a.exists(prefix + lockName), 0, 'released at once, not left to expire');
});
