// One contract for the account-event stores, run against memory, SQLite and Redis. `a` and `b` are two
// instances on the same backend (two app processes): what one writes, the other sees, and racing writers
// from both end in the state the rules say.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventStores } from '../../src/storage/account-events/index.js';
import type { Clock } from './helpers.js';

export interface Backend {
  a: EventStores;
  b: EventStores;
  clock: Clock;
  /** Lets a record that lapses in `ttlMs` lapse (the clock for memory/SQLite; real time for Redis's PX). */
  lapse(ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

const DAY = 86_400_000;
let n = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++n}`;

export function storeContract(open: () => Promise<Backend>): void {
  const withBackend = (fn: (b: Backend) => Promise<void>) => async () => {
    const backend = await open();
    try {
      await fn(backend);
    } finally {
      await backend.close();
    }
  };

  // --- JtiStore: a claim is pending (with a deadline) until its reaction is done ---
  const lease = (clock: Clock, ms = 60_000) => ({ leaseUntil: clock.now() + ms, expiresAt: clock.now() + DAY });

  it(
    'jti: claimed once; while its reaction runs a second claim (either instance) is in progress; once done, done',
    withBackend(async ({ a, b, clock }) => {
      const k = uniq('jti');
      assert.equal(await a.jti.claim(k, lease(clock)), 'claimed');
      assert.equal(await a.jti.claim(k, lease(clock)), 'in-progress');
      assert.equal(await b.jti.claim(k, lease(clock)), 'in-progress');
      await a.jti.complete(k, clock.now() + DAY);
      assert.equal(await b.jti.claim(k, lease(clock)), 'done');
      assert.equal(await b.jti.claim(uniq('jti'), lease(clock)), 'claimed', 'another jti is free');
    }),
  );

  it(
    'jti: 40 racing claims on two instances → exactly one is claimed, the others see it in progress',
    withBackend(async ({ a, b, clock }) => {
      const k = uniq('race');
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).jti.claim(k, lease(clock))),
      );
      assert.equal(results.filter((r) => r === 'claimed').length, 1);
      assert.equal(results.filter((r) => r === 'in-progress').length, 39);
    }),
  );

  it(
    'jti: a pending claim whose deadline passed (its process died) is taken over; a done one never is',
    withBackend(async ({ a, b, clock }) => {
      const k = uniq('dead');
      assert.equal(await a.jti.claim(k, lease(clock, 5_000)), 'claimed');
      clock.advance(4_999);
      assert.equal(await b.jti.claim(k, lease(clock)), 'in-progress', 'before the deadline');
      clock.advance(1);
      assert.equal(await b.jti.claim(k, lease(clock, 5_000)), 'claimed', 'at the deadline: taken over');
      assert.equal(await a.jti.claim(k, lease(clock)), 'in-progress', 'the new claim has a deadline of its own');
      await b.jti.complete(k, clock.now() + DAY);
      clock.advance(60_000);
      assert.equal(await a.jti.claim(k, lease(clock)), 'done', 'a done claim has no deadline');
    }),
  );

  it(
    'jti: a released claim is free again at once; releasing a done claim changes nothing',
    withBackend(async ({ a, b, clock }) => {
      const k = uniq('rel');
      assert.equal(await a.jti.claim(k, lease(clock)), 'claimed');
      await a.jti.release(k);
      assert.equal(await b.jti.claim(k, lease(clock)), 'claimed');
      await b.jti.complete(k, clock.now() + DAY);
      await a.jti.release(k);
      assert.equal(await a.jti.claim(k, lease(clock)), 'done');
    }),
  );

  it(
    'jti: every record lapses when its acceptance window ends, pending or done',
    withBackend(async ({ a, b, clock, lapse }) => {
      const pending = uniq('pending');
      const done = uniq('done');
      assert.equal(
        await a.jti.claim(pending, { leaseUntil: clock.now() + DAY, expiresAt: clock.now() + 200 }),
        'claimed',
      );
      assert.equal(await a.jti.claim(done, { leaseUntil: clock.now() + DAY, expiresAt: clock.now() + DAY }), 'claimed');
      await a.jti.complete(done, clock.now() + 200);
      assert.equal(await b.jti.claim(done, lease(clock)), 'done');
      await lapse(200);
      assert.equal(await b.jti.claim(pending, lease(clock)), 'claimed');
      assert.equal(await b.jti.claim(done, lease(clock)), 'claimed');
    }),
  );

  // --- SessionCutoffs: "sessions of this account signed in at or before T are over", one atomic write ---
  it(
    'cutoffs: written by one instance, seen by the other; the latest wins; another account has none',
    withBackend(async ({ a, b, clock }) => {
      const sub = uniq('sub');
      const t = clock.now();
      assert.equal(await a.cutoffs.cutoff(sub), null);
      await a.cutoffs.endBefore(sub, t - 1000, t + DAY);
      assert.equal(await b.cutoffs.cutoff(sub), t - 1000);
      await b.cutoffs.endBefore(sub, t - 5000, t + DAY);
      assert.equal(await a.cutoffs.cutoff(sub), t - 1000, 'an older event does not move the cutoff back');
      await b.cutoffs.endBefore(sub, t, t + DAY);
      assert.equal(await a.cutoffs.cutoff(sub), t);
      assert.equal(await a.cutoffs.cutoff(uniq('other')), null);
    }),
  );

  it(
    'cutoffs: racing writes from two instances end at the latest cutoff',
    withBackend(async ({ a, b, clock }) => {
      const sub = uniq('sub');
      const t = clock.now();
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).cutoffs.endBefore(sub, t + i, t + DAY)));
      assert.equal(await a.cutoffs.cutoff(sub), t + 29);
    }),
  );

  it(
    'cutoffs: an entry lapses when no session signed in before it can be alive; an older write never shortens it',
    withBackend(async ({ a, b, clock, lapse }) => {
      const sub = uniq('sub');
      const t = clock.now();
      await a.cutoffs.endBefore(sub, t, t + 400);
      await b.cutoffs.endBefore(sub, t - 1, t + 100);
      await lapse(100);
      assert.equal(await a.cutoffs.cutoff(sub), t, 'still there: the later lapse time was kept');
      await lapse(300);
      assert.equal(await a.cutoffs.cutoff(sub), null);
    }),
  );

  // --- SubjectIndex ---
  it(
    'subjects: add, list (most recently seen first, metadata kept, user agent trimmed), remove',
    withBackend(async ({ a, b, clock }) => {
      const sub = uniq('sub');
      const t = clock.now();
      await a.subjects.add(sub, 's1', { createdAt: t, lastSeenAt: t, userAgent: 'Firefox', ip: '203.0.113.7' }, DAY);
      await b.subjects.add(sub, 's2', { createdAt: t, lastSeenAt: t + 5, userAgent: 'x'.repeat(1000) }, DAY);
      await a.subjects.add(uniq('other'), 's9', { createdAt: t, lastSeenAt: t }, DAY);
      const listed = await b.subjects.list(sub);
      assert.deepEqual(
        listed.map((s) => s.sessionId),
        ['s2', 's1'],
      );
      assert.deepEqual(
        { ...listed[1], expiresAt: 0 },
        { sessionId: 's1', createdAt: t, lastSeenAt: t, userAgent: 'Firefox', ip: '203.0.113.7', expiresAt: 0 },
      );
      assert.equal(listed[0]?.userAgent?.length, 256);
      assert.equal(listed[1]?.expiresAt, t + DAY);
      await b.subjects.remove(sub, 's2');
      assert.deepEqual(
        (await a.subjects.list(sub)).map((s) => s.sessionId),
        ['s1'],
      );
      assert.deepEqual(await a.subjects.list(uniq('nobody')), []);
    }),
  );

  it(
    'subjects: touch moves last-seen forward only, and never brings back a removed session',
    withBackend(async ({ a, b, clock }) => {
      const sub = uniq('sub');
      const t = clock.now();
      await a.subjects.add(sub, 's1', { createdAt: t, lastSeenAt: t }, DAY);
      assert.equal(await b.subjects.touch(sub, 's1', t + 1000), true);
      assert.equal(await a.subjects.touch(sub, 's1', t + 10), true);
      assert.equal((await a.subjects.list(sub))[0]?.lastSeenAt, t + 1000);
      await a.subjects.remove(sub, 's1');
      assert.equal(await b.subjects.touch(sub, 's1', t + 2000), false);
      assert.deepEqual(await b.subjects.list(sub), []);
    }),
  );

  it(
    'subjects: entries lapse after their lifetime',
    withBackend(async ({ a, clock }) => {
      const sub = uniq('sub');
      const t = clock.now();
      await a.subjects.add(sub, 'short', { createdAt: t, lastSeenAt: t }, 60_000);
      await a.subjects.add(sub, 'long', { createdAt: t, lastSeenAt: t }, DAY);
      clock.advance(60_000);
      assert.deepEqual(
        (await a.subjects.list(sub)).map((s) => s.sessionId),
        ['long'],
      );
      assert.equal(await a.subjects.touch(sub, 'short', clock.now()), false);
    }),
  );

  it(
    'subjects: two instances adding and removing sessions of one user at once lose nothing',
    withBackend(async ({ a, b, clock }) => {
      const sub = uniq('sub');
      const t = clock.now();
      // Pre-existing sessions that will be removed while others are added.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => a.subjects.add(sub, `old${i}`, { createdAt: t, lastSeenAt: t }, DAY)),
      );
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => a.subjects.add(sub, `a${i}`, { createdAt: t, lastSeenAt: t + i }, DAY)),
        ...Array.from({ length: 20 }, (_, i) => b.subjects.add(sub, `b${i}`, { createdAt: t, lastSeenAt: t + i }, DAY)),
        ...Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).subjects.remove(sub, `old${i}`)),
        ...Array.from({ length: 20 }, (_, i) => b.subjects.touch(sub, `a${i}`, t + 100)),
      ]);
      const ids = (await a.subjects.list(sub)).map((s) => s.sessionId).sort();
      const expected = [
        ...Array.from({ length: 20 }, (_, i) => `a${i}`),
        ...Array.from({ length: 20 }, (_, i) => `b${i}`),
      ].sort();
      assert.deepEqual(ids, expected);
    }),
  );

  // --- SignInBlockList ---
  it(
    'blocks: block, seen by the other instance with its reason, listed, lifted by a later unblock',
    withBackend(async ({ a, b }) => {
      const sub = uniq('sub');
      assert.equal(await a.blocks.isBlocked(sub), null);
      assert.equal(
        await a.blocks.block({ sub, blocked: true, reason: 'hijacking', source: 'risc', at: 1000, jti: 'j1' }),
        true,
      );
      assert.deepEqual(await b.blocks.isBlocked(sub), {
        sub,
        blocked: true,
        reason: 'hijacking',
        source: 'risc',
        at: 1000,
        jti: 'j1',
      });
      assert.ok((await b.blocks.listBlocked()).some((d) => d.sub === sub));
      assert.equal(await b.blocks.unblock(sub, 2000, 'operator', 'verified by phone'), true);
      assert.equal(await a.blocks.isBlocked(sub), null);
      assert.ok(!(await a.blocks.listBlocked()).some((d) => d.sub === sub));
    }),
  );

  it(
    'blocks: an older decision never overrides a newer one; at the same time, block wins',
    withBackend(async ({ a, b }) => {
      const sub = uniq('sub');
      assert.equal(await a.blocks.unblock(sub, 5000, 'risc'), true);
      assert.equal(
        await b.blocks.block({ sub, blocked: true, reason: 'hijacking', source: 'risc', at: 4000 }),
        false,
        'older block after a newer enable',
      );
      assert.equal(await a.blocks.isBlocked(sub), null);
      assert.equal(
        await b.blocks.block({ sub, blocked: true, reason: 'bulk-account', source: 'risc', at: 5000 }),
        true,
        'same time: block wins',
      );
      assert.equal(await a.blocks.unblock(sub, 5000, 'risc'), false, 'same time: unblock loses');
      assert.equal((await a.blocks.isBlocked(sub))?.reason, 'bulk-account');
    }),
  );

  it(
    'blocks: a block and an older unblock racing on two instances end blocked, in either order',
    withBackend(async ({ a, b }) => {
      for (let round = 0; round < 10; round++) {
        const sub = uniq('sub');
        const ops = [
          () => a.blocks.block({ sub, blocked: true, reason: 'hijacking', source: 'risc', at: 2000 }),
          () => b.blocks.unblock(sub, 1000, 'risc'),
        ];
        if (round % 2) ops.reverse();
        await Promise.all(ops.map((f) => f()));
        assert.equal((await a.blocks.isBlocked(sub))?.reason, 'hijacking');
      }
    }),
  );

  // --- CredentialChangeFlags ---
  it(
    'credential change: flag keeps the latest time; clear only lowers a flag raised no later than what was seen',
    withBackend(async ({ a, b }) => {
      const sub = uniq('sub');
      assert.equal(await a.credentialChanges.get(sub), null);
      await a.credentialChanges.flag(sub, 2000);
      await b.credentialChanges.flag(sub, 1000);
      assert.deepEqual(await b.credentialChanges.get(sub), { sub, at: 2000 });
      assert.equal(await b.credentialChanges.clear(sub, 1500), false, 'a flag raised after the admin looked stays');
      assert.equal(await a.credentialChanges.clear(sub, 2000), true);
      assert.equal(await b.credentialChanges.get(sub), null);
      assert.equal(await b.credentialChanges.clear(sub, 9999), false);
    }),
  );
}
