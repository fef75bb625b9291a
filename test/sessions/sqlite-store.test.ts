import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import session from 'express-session';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { getRaw, runStoreContract, sessionData } from './store-contract.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-sqlite-'));

runStoreContract('sqlite', async () => {
  const store = new SqliteSessionStore({ file: path.join(tmp, 'contract.db'), defaultTtlMs: 60_000, sweepIntervalMs: 0 });
  return { store, close: async () => store.close() };
});

runStoreContract('memory', async () => ({ store: new session.MemoryStore(), close: async () => undefined }));

test('sqlite: the database and its WAL files are private to the owner (0600), in a directory it creates', () => {
  const file = path.join(tmp, 'nested', 'dir', 'sessions.db');
  const store = new SqliteSessionStore({ file, defaultTtlMs: 60_000, sweepIntervalMs: 0 });
  store.set('x', sessionData({ a: 1 }));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (!fs.existsSync(f)) continue;
    assert.equal(fs.statSync(f).mode & 0o777, 0o600, `${path.basename(f)} mode`);
  }
  store.close();
});

test('sqlite: WAL journal mode and a sweep that deletes only expired sessions', () => {
  let now = 1_000_000;
  const file = path.join(tmp, 'sweep.db');
  const store = new SqliteSessionStore({ file, defaultTtlMs: 60_000, sweepIntervalMs: 0, now: () => now });
  const at = (ms: number) => ({ cookie: { expires: new Date(ms), originalMaxAge: 1 } }) as unknown as session.SessionData;
  store.set('old', at(now + 10));
  store.set('new', at(now + 100_000));
  now += 1000;
  assert.equal(store.sweep(), 1);
  assert.deepEqual(store.rawEntries().map((e) => e.sid), ['new']);
  store.close();
  const db = fs.readFileSync(file);
  assert.ok(db.length > 0);
});

test('sqlite: sessions survive a restart of the process (reopen the file)', async () => {
  const file = path.join(tmp, 'restart.db');
  const a = new SqliteSessionStore({ file, defaultTtlMs: 60_000, sweepIntervalMs: 0 });
  a.set('keep', sessionData({ user: { sub: '42' } }));
  a.close();
  const b = new SqliteSessionStore({ file, defaultTtlMs: 60_000, sweepIntervalMs: 0 });
  const back = await getRaw(b, 'keep');
  assert.deepEqual(back?.user, { sub: '42' });
  b.close();
});

test('sqlite: a touch within the throttle window does not write', () => {
  let now = 5_000_000;
  const store = new SqliteSessionStore({ file: ':memory:', defaultTtlMs: 60_000, sweepIntervalMs: 0, touchThrottleMs: 60_000, now: () => now });
  const at = (ms: number) => ({ cookie: { expires: new Date(ms), originalMaxAge: 1 } }) as unknown as session.SessionData;
  const first = now + 3_600_000;
  store.set('t', at(first));
  now += 1000;
  store.touch('t', at(now + 3_600_000)); // moved by 1 s: skipped
  assert.equal(store.rawEntries()[0]!.expires, first);
  now += 120_000;
  store.touch('t', at(now + 3_600_000)); // moved by 121 s: written
  assert.equal(store.rawEntries()[0]!.expires, now + 3_600_000);
  store.close();
});
