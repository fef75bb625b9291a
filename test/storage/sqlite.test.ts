// The SQLite backend: both contracts, then what only a file on disk has (permissions, sweep, restart, touch
// throttle, tombstones and token records cleaned with their sessions).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Request } from 'express';
import type session from 'express-session';
import { createLogger } from '../../src/log/logger.js';
import { openSqliteStorage, type SqliteSessionStore } from '../../src/storage/sqlite.js';
import type { StorageOptions } from '../../src/storage/types.js';
import {
  assertPrefetchServesItsRequestOnce,
  getRaw,
  loadSession,
  runStoreContract,
  sessionData,
  testClock,
} from './session-store-contract.js';
import { rec, runTokenStoreContract } from './token-store-contract.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-sqlite-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const opts = (extra: Partial<StorageOptions> = {}): StorageOptions => ({
  idleTtlMs: 60_000,
  logger: createLogger('silent'),
  sweepIntervalMs: 0,
  ...extra,
});

runStoreContract('sqlite', async () => {
  const clock = testClock();
  const storage = openSqliteStorage(path.join(tmp, 'contract.db'), opts({ now: clock.now }));
  return {
    store: storage.sessions,
    storage,
    idleTtlMs: 60_000,
    passTime: clock.passTime,
    close: () => storage.close(),
  };
});

runTokenStoreContract('sqlite', async () => {
  const storage = openSqliteStorage(path.join(tmp, 'tokens.db'), opts());
  return { store: storage.tokens, close: () => storage.close() };
});

const at = (ms: number) => ({ cookie: { expires: new Date(ms), originalMaxAge: 1 } }) as unknown as session.SessionData;

test('sqlite: the database and its WAL files are private to the owner (0600), in a directory it creates', async () => {
  const file = path.join(tmp, 'nested', 'dir', 'sessions.db');
  const storage = openSqliteStorage(file, opts());
  storage.sessions.set('x', sessionData({ a: 1 }));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (!fs.existsSync(f)) continue;
    assert.equal(fs.statSync(f).mode & 0o777, 0o600, `${path.basename(f)} mode`);
  }
  await storage.close();
});

test('sqlite: a sweep deletes expired sessions, their token records and old tombstones, nothing else', async () => {
  let now = 1_000_000;
  const file = path.join(tmp, 'sweep.db');
  const storage = openSqliteStorage(file, opts({ now: () => now, idleTtlMs: 5_000 }));
  const store = storage.sessions as SqliteSessionStore;
  store.set('old', at(now + 10));
  store.set('new', at(now + 100_000));
  await storage.tokens.compareAndSet('old', 0, rec(), 10);
  await storage.tokens.compareAndSet('new', 0, rec(), 100_000);
  store.destroy('gone');
  now += 6000;
  assert.equal(store.sweep(), 1);
  assert.deepEqual(
    store.rawEntries().map((e) => e.sid),
    ['new'],
  );
  await storage.close();
  const db = new Database(file, { readonly: true });
  assert.deepEqual(
    (db.prepare('SELECT ref FROM token_records').all() as Array<{ ref: string }>).map((r) => r.ref),
    ['new'],
  );
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM session_tombstones').get() as { n: number }).n, 0);
  db.close();
});

test('sqlite: sessions survive a restart of the process (reopen the file)', async () => {
  const file = path.join(tmp, 'restart.db');
  const a = openSqliteStorage(file, opts());
  a.sessions.set('keep', sessionData({ user: { sub: '42' } }));
  await a.close();
  const b = openSqliteStorage(file, opts());
  const back = await getRaw(b.sessions, 'keep');
  assert.deepEqual(back?.user, { sub: '42' });
  await b.close();
});

test('sqlite: a touch within the throttle window does not write; one that does moves the token record too', async () => {
  let now = 5_000_000;
  const storage = openSqliteStorage(':memory:', opts({ now: () => now }));
  const store = storage.sessions as SqliteSessionStore;
  const first = now + 3_600_000;
  store.set('t', at(first));
  await storage.tokens.compareAndSet('t', 0, rec(), 3_600_000);
  now += 1000;
  store.touch('t', at(now + 3_600_000)); // moved by 1 s: skipped
  assert.equal(store.rawEntries()[0]!.expires, first);
  now += 120_000;
  store.touch('t', at(now + 3_600_000)); // moved by 121 s: written
  assert.equal(store.rawEntries()[0]!.expires, now + 3_600_000);
  now += 3_600_000 - 1000; // past the record's own first expiry, inside the session's renewed one
  assert.ok(await storage.tokens.get('t'), 'the token record was renewed with its session');
  await storage.close();
});

test('sqlite: the token record read with a session (one statement) serves only the request that read it, once', async () => {
  let now = 1_000_000;
  const storage = openSqliteStorage(path.join(tmp, 'prefetch.db'), opts({ now: () => now }));
  try {
    storage.sessions.set('s1', sessionData({ user: { sub: '1' } }));
    storage.sessions.set('s2', sessionData({ user: { sub: '2' } }));
    await storage.tokens.compareAndSet('s2', 0, rec({ scopes: ['x'] }), 1_000);
    await assertPrefetchServesItsRequestOnce(storage, 's1');
    // A record past its lifetime reads as none, as the token store's own read says.
    now += 2_000;
    const reqC = {} as Request;
    await loadSession(storage, 's2', reqC);
    assert.equal(await storage.takePrefetchedTokenRecord(reqC), null);
    assert.equal(await storage.tokens.get('s2'), null);
  } finally {
    await storage.close();
  }
});
