// One contract for the sessions of every storage backend (SQLite, memory, Redis): express-session's store
// interface, plus Scopewise's invariants (a destroyed session stays destroyed; a session's token record lives
// and dies with it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'express';
import type session from 'express-session';
import type { Storage } from '../../src/storage/index.js';
import { rec } from './token-store-contract.js';

export interface StoreUnderTest {
  store: session.Store;
  /** The same backend's token store (the session store keeps it in step). */
  storage: Storage;
  /** The idle lifetime the storage was opened with (also its tombstones' lifetime). */
  idleTtlMs: number;
  /**
   * Lets `ms` pass for what the store keeps (its clock seam, or Redis's key TTLs aged by `ms`), without waiting;
   * returns a function that moves a clock back (Redis's aged keys stay aged: only the test's own keys matter).
   */
  passTime(ms: number): Promise<() => void>;
  close(): Promise<void>;
}

/** For the backends with a clock seam (`StorageOptions.now`): real time plus what the tests let pass. */
export function testClock(): { now: () => number; passTime(ms: number): Promise<() => void> } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    async passTime(ms) {
      offset += ms;
      return () => {
        offset -= ms;
      };
    },
  };
}

const p = <T>(fn: (cb: (err?: unknown, v?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));

export function getRaw(store: session.Store, id: string): Promise<Record<string, unknown> | null> {
  return new Promise((resolve, reject) =>
    store.get(id, (err, v) => (err ? reject(err) : resolve((v ?? null) as unknown as Record<string, unknown> | null))),
  );
}

export function sessionData(extra: Record<string, unknown> = {}, expiresInMs = 60_000): session.SessionData {
  return {
    cookie: { originalMaxAge: expiresInMs, expires: new Date(Date.now() + expiresInMs), httpOnly: true, path: '/' },
    ...extra,
  } as unknown as session.SessionData;
}

/** What express-session does with a store for one request: get the session, then create it on the request. */
export function loadSession(storage: Storage, sid: string, req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    storage.sessions.get(sid, (err, sess) => {
      if (err) return reject(err);
      if (sess) storage.sessions.createSession(req, sess);
      resolve();
    }),
  );
}

/**
 * For a backend that reads a session's token record with the session: each request gets the record as it was
 * at its own read, once; a request that read nothing gets nothing; and the version fence still refuses a write
 * based on a stale snapshot. `sid` names a saved session that has no token record yet.
 */
export async function assertPrefetchServesItsRequestOnce(storage: Storage, sid: string): Promise<void> {
  await storage.tokens.compareAndSet(sid, 0, rec({ scopes: ['a'] }), 60_000);
  const reqA = {} as Request;
  const reqB = {} as Request;
  await loadSession(storage, sid, reqA);
  await storage.tokens.compareAndSet(sid, 1, rec({ scopes: ['b'] }), 60_000); // a write after A's read
  await loadSession(storage, sid, reqB);
  const a = await storage.takePrefetchedTokenRecord(reqA);
  const b = await storage.takePrefetchedTokenRecord(reqB);
  assert.deepEqual([a?.version, a?.scopes], [1, ['a']], 'A gets its own read, a snapshot of its moment');
  assert.deepEqual([b?.version, b?.scopes], [2, ['b']], "B gets its own, not A's");
  assert.equal(storage.takePrefetchedTokenRecord(reqA), undefined, 'used once');
  assert.equal(storage.takePrefetchedTokenRecord({} as Request), undefined, 'a request that read nothing gets nothing');
  assert.equal(
    await storage.tokens.compareAndSet(sid, a!.version, rec({ scopes: ['stale'] }), 60_000),
    null,
    'the version fence still holds',
  );
}

export function runStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  let sut: StoreUnderTest;
  const ready = open().then((s) => (sut = s));
  after(async () => {
    await ready;
    await sut.close();
  });
  let n = 0;
  const sid = () => `contract-${name}-${process.pid}-${Date.now()}-${n++}`;

  test(`${name}: a saved session reads back the same`, async () => {
    await ready;
    const id = sid();
    const data = sessionData({
      user: { sub: '1', email: 'a@example.com' },
      grantedScopes: ['openid'],
      tokens: 'v1.k.x.y.z',
    });
    await p((cb) => sut.store.set(id, data, cb));
    const back = await p<session.SessionData | null>((cb) => sut.store.get(id, cb));
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(data)));
  });

  test(`${name}: an unknown id reads as nothing`, async () => {
    await ready;
    const back = await p<session.SessionData | null>((cb) => sut.store.get(sid(), cb));
    assert.ok(back === null || back === undefined);
  });

  test(`${name}: set overwrites, destroy removes`, async () => {
    await ready;
    const id = sid();
    await p((cb) => sut.store.set(id, sessionData({ v: 1 }), cb));
    await p((cb) => sut.store.set(id, sessionData({ v: 2 }), cb));
    const back = (await getRaw(sut.store, id))!;
    assert.equal(back.v, 2);
    await p((cb) => sut.store.destroy(id, cb));
    assert.ok(!(await p((cb) => sut.store.get(id, cb))));
  });

  test(`${name}: an expired session is not returned`, async () => {
    await ready;
    const id = sid();
    await p((cb) => sut.store.set(id, sessionData({ v: 1 }, 1000), cb));
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(!(await p((cb) => sut.store.get(id, cb))));
  });

  test(`${name}: touch extends the expiry`, async () => {
    await ready;
    const id = sid();
    const data = sessionData({ v: 1 }, 1500);
    await p((cb) => sut.store.set(id, data, cb));
    const extended = sessionData({ v: 1 }, 10 * 60_000);
    await p((cb) => sut.store.touch!(id, extended, cb));
    await new Promise((r) => setTimeout(r, 1700));
    const back = await getRaw(sut.store, id);
    assert.equal(back?.v, 1);
  });

  test(`${name}: sessions are independent`, async () => {
    await ready;
    const a = sid();
    const b = sid();
    await p((cb) => sut.store.set(a, sessionData({ who: 'a' }), cb));
    await p((cb) => sut.store.set(b, sessionData({ who: 'b' }), cb));
    await p((cb) => sut.store.destroy(a, cb));
    const back = (await getRaw(sut.store, b))!;
    assert.equal(back.who, 'b');
  });

  const record = { sub: '100000000000000000001', scopes: ['openid'], sealed: 'v1.k.iv.ct.tag' };

  test(`${name}: a destroyed session stays destroyed (a slow request saving it late does not bring it back)`, async () => {
    await ready;
    const id = sid();
    const loaded = sessionData({ user: { sub: '1' }, v: 1 });
    await p((cb) => sut.store.set(id, loaded, cb));
    await p((cb) => sut.store.destroy(id, cb)); // sign-out
    // The slow request (it read the session before the sign-out) ends late: up to the idle lifetime later, since
    // a request may wait on Google that long in the worst case. Its session's cookie is still valid.
    const late = sessionData({ user: { sub: '1' }, v: 1, lastProject: 'late' }, 2 * sut.idleTtlMs + 3_600_000);
    const undo = [await sut.passTime(sut.idleTtlMs - 1000)];
    try {
      await p((cb) => sut.store.set(id, late, cb));
      assert.ok(!(await p((cb) => sut.store.get(id, cb))), 'set after destroy');
      await p((cb) => sut.store.touch!(id, late, cb));
      assert.ok(!(await p((cb) => sut.store.get(id, cb))), 'touch after destroy');
      // The tombstone itself ends with the idle lifetime: the store does not keep every signed-out id forever.
      undo.push(await sut.passTime(2000));
      await p((cb) => sut.store.set(id, late, cb));
      assert.equal((await getRaw(sut.store, id))?.lastProject, 'late', 'the tombstone has ended');
    } finally {
      for (const back of undo) back();
    }
  });

  test(`${name}: destroying a session removes its token record`, async () => {
    await ready;
    const id = sid();
    await p((cb) => sut.store.set(id, sessionData({ user: { sub: '1' } }), cb));
    assert.ok(await sut.storage.tokens.compareAndSet(id, 0, record, 60_000));
    await p((cb) => sut.store.destroy(id, cb));
    assert.equal(await sut.storage.tokens.get(id), null);
    // Another session's record is untouched.
    const other = sid();
    await p((cb) => sut.store.set(other, sessionData({ user: { sub: '2' } }), cb));
    assert.ok(await sut.storage.tokens.compareAndSet(other, 0, record, 60_000));
    await p((cb) => sut.store.destroy(sid(), cb));
    assert.ok(await sut.storage.tokens.get(other));
  });

  test(`${name}: a token record lives as long as its session (renewed when the session is saved)`, async () => {
    await ready;
    const id = sid();
    assert.ok(await sut.storage.tokens.compareAndSet(id, 0, record, 1000));
    await p((cb) => sut.store.set(id, sessionData({ user: { sub: '1' } }, 60_000), cb));
    await new Promise((r) => setTimeout(r, 1300));
    assert.ok(await sut.storage.tokens.get(id), 'the record outlived its own first TTL with its session');
  });
}
