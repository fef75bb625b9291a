// A security event token's jti claim on each backend: held for exactly its lifetime (a replay within it changes
// nothing, the same jti after it is new), released on request, and the memory backend's clean-up never frees a
// live claim. Memory and SQLite on a test clock; Redis on REDIS_URL, checked through the key's PTTL.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import {
  MemoryJtiStore,
  RedisJtiStore,
  SqliteJtiStore,
  type JtiStore,
} from '../../src/storage/account-events/jti-store.js';
import { REDIS_URL, redisUnavailable } from '../support/redis.js';

const MINUTE = 60_000;

function clocked(make: (now: () => number) => JtiStore) {
  let t = 1_800_000_000_000;
  return {
    store: make(() => t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

for (const [name, make] of [
  ['memory', (now: () => number) => new MemoryJtiStore(now)],
  ['sqlite', (now: () => number) => new SqliteJtiStore(new Database(':memory:'), now)],
] as const) {
  describe(`jti claims: ${name}`, () => {
    it('a claim holds for exactly its lifetime: refused one millisecond before it ends, free when it ends', async () => {
      const { store, advance } = clocked(make);
      assert.equal(await store.claimOnce('iss|j1', 10 * MINUTE), true);
      advance(10 * MINUTE - 1);
      assert.equal(await store.claimOnce('iss|j1', 10 * MINUTE), false, 'a replay within the lifetime');
      advance(1);
      assert.equal(await store.claimOnce('iss|j1', 10 * MINUTE), true, 'the lifetime has ended');
      assert.equal(await store.claimOnce('iss|j1', 10 * MINUTE), false, 'and the new claim holds again');
    });

    it('a release frees the claim at once; releasing what nobody holds is harmless', async () => {
      const { store } = clocked(make);
      assert.equal(await store.claimOnce('iss|j2', MINUTE), true);
      await store.release('iss|j2');
      assert.equal(await store.claimOnce('iss|j2', MINUTE), true);
      await store.release('iss|never');
      assert.equal(await store.claimOnce('iss|j3', MINUTE), true);
      assert.equal(await store.claimOnce('iss|j2', MINUTE), false, 'another key was not freed');
    });

    it('thousands of lapsed claims are cleaned up without freeing a live one', async () => {
      const { store, advance } = clocked(make);
      assert.equal(await store.claimOnce('live', 24 * 60 * MINUTE), true);
      for (let i = 0; i < 2100; i++) assert.equal(await store.claimOnce(`short-${i}`, 10), true);
      advance(3_600_001); // past the short claims, and past SQLite's hourly sweep
      for (let i = 0; i < 2100; i++) await store.claimOnce(`later-${i}`, MINUTE);
      assert.equal(await store.claimOnce('live', MINUTE), false, 'the live claim survived the clean-up');
      assert.equal(await store.claimOnce('short-7', MINUTE), true, 'a lapsed claim is free');
      assert.equal(await store.claimOnce('later-7', MINUTE), false);
    });
  });
}

describe('jti claims: redis', async () => {
  const skip = await redisUnavailable();
  const prefix = `scopewise-test:${process.pid}:${crypto.randomBytes(4).toString('hex')}:jti:`;
  const client = createClient({ url: REDIS_URL });
  if (!skip) await client.connect();
  after(async () => {
    if (skip) return;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*` }))
      if ((keys as unknown as string[]).length) await client.del(keys as unknown as string[]);
    await client.close();
  });
  const store = new RedisJtiStore(client, prefix);

  it('a claim is a key under the prefix living exactly its lifetime, in milliseconds', { skip }, async () => {
    assert.equal(await store.claimOnce('iss|r1', 10 * MINUTE), true);
    assert.equal(await store.claimOnce('iss|r1', 10 * MINUTE), false);
    const left = await client.pTTL(`${prefix}iss|r1`);
    assert.ok(left > 10 * MINUTE - 5000 && left <= 10 * MINUTE, `PTTL ${left}`);
  });

  it('a lifetime under a millisecond still makes a (short) claim, never an error', { skip }, async () => {
    assert.equal(await store.claimOnce('iss|r2', 0.2), true);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await store.claimOnce('iss|r2', MINUTE), true);
  });

  it('a release frees the claim at once', { skip }, async () => {
    assert.equal(await store.claimOnce('iss|r3', MINUTE), true);
    await store.release('iss|r3');
    assert.equal(await client.exists(`${prefix}iss|r3`), 0);
    assert.equal(await store.claimOnce('iss|r3', MINUTE), true);
  });
});
