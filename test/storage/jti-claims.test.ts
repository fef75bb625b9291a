// A security event token's jti record on each backend, at its edges: a done record holds until exactly the end of
// its acceptance window (a replay one millisecond before is a duplicate; at the end the jti is new), the memory
// and SQLite clean-ups never drop a live record, and on Redis the record's PTTL is that window in milliseconds.
// (The claim/complete/release contract itself is test/events/store-contract.ts.)
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
const T0 = 1_800_000_000_000;

function clocked(make: (now: () => number) => JtiStore) {
  const clock = { t: T0 };
  return {
    store: make(() => clock.t),
    clock,
    /** A claim reacted to and completed now, whose token is accepted for `windowMs` more. */
    async doneFor(key: string, windowMs: number) {
      assert.equal(
        await this.store.claim(key, { leaseUntil: clock.t + MINUTE, expiresAt: clock.t + windowMs }),
        'claimed',
      );
      await this.store.complete(key, clock.t + windowMs);
    },
  };
}

for (const [name, make] of [
  ['memory', (now: () => number) => new MemoryJtiStore(now)],
  ['sqlite', (now: () => number) => new SqliteJtiStore(new Database(':memory:'), now)],
] as const) {
  describe(`jti records: ${name}`, () => {
    it('a done record is a duplicate until one millisecond before its window ends; at the end the jti is new', async () => {
      const s = clocked(make);
      await s.doneFor('iss|j1', 10 * MINUTE);
      s.clock.t += 10 * MINUTE - 1;
      assert.equal(
        await s.store.claim('iss|j1', { leaseUntil: s.clock.t + MINUTE, expiresAt: s.clock.t + MINUTE }),
        'done',
      );
      s.clock.t += 1;
      assert.equal(
        await s.store.claim('iss|j1', { leaseUntil: s.clock.t + MINUTE, expiresAt: s.clock.t + MINUTE }),
        'claimed',
      );
    });

    it('thousands of lapsed records are cleaned up without dropping a live one', async () => {
      const s = clocked(make);
      await s.doneFor('live', 24 * 60 * MINUTE);
      const short = { leaseUntil: T0 + 5, expiresAt: T0 + 10 };
      for (let i = 0; i < 2100; i++) assert.equal(await s.store.claim(`short-${i}`, short), 'claimed');
      s.clock.t += 3_600_001; // past the short records, and past SQLite's hourly sweep
      const later = { leaseUntil: s.clock.t + MINUTE, expiresAt: s.clock.t + MINUTE };
      for (let i = 0; i < 2100; i++) await s.store.claim(`later-${i}`, later);
      assert.equal(await s.store.claim('live', later), 'done', 'the live record survived the clean-up');
      assert.equal(await s.store.claim('short-7', later), 'claimed', 'a lapsed record is gone');
      assert.equal(await s.store.claim('later-7', later), 'in-progress');
    });
  });
}

describe('jti records: redis', async () => {
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
  const store = new RedisJtiStore(client, Date.now, prefix);
  const pttl = (key: string) => client.pTTL(`${prefix}${key}`);

  it('pending and done, a record lives exactly until the end of its window, in milliseconds', { skip }, async () => {
    const now = Date.now();
    assert.equal(await store.claim('iss|r1', { leaseUntil: now + MINUTE, expiresAt: now + 10 * MINUTE }), 'claimed');
    let left = await pttl('iss|r1');
    assert.ok(left > 10 * MINUTE - 5000 && left <= 10 * MINUTE, `pending: PTTL ${left}`);
    await store.complete('iss|r1', now + 20 * MINUTE);
    left = await pttl('iss|r1');
    assert.ok(left > 20 * MINUTE - 5000 && left <= 20 * MINUTE, `done: PTTL ${left}`);
  });

  it('a window already over still makes a (one-millisecond) record, never an error', { skip }, async () => {
    const now = Date.now();
    assert.equal(await store.claim('iss|r2', { leaseUntil: now + MINUTE, expiresAt: now - 10 }), 'claimed');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await store.claim('iss|r2', { leaseUntil: now + MINUTE, expiresAt: now + MINUTE }), 'claimed');
  });
});
