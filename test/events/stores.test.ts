// The account-event store contract on each backend: memory, SQLite (two connections to one file), and Redis
// (two clients on a private redis-server).
import { after, before, describe } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import { openEventStores } from '../../src/storage/account-events/index.js';
import { RedisChild } from '../support/redis.js';
import { Clock } from './helpers.js';
import { storeContract } from './store-contract.js';

describe('event stores: memory', () => {
  storeContract(async () => {
    const clock = new Clock();
    const stores = openEventStores({ kind: 'memory' }, clock.now);
    return { a: stores, b: stores, clock, lapse: async (ms) => clock.advance(ms), close: async () => undefined };
  });
});

describe('event stores: SQLite (two connections, one file)', () => {
  storeContract(async () => {
    const clock = new Clock();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-events-'));
    const file = path.join(dir, 'sessions.db');
    const db1 = new Database(file);
    db1.pragma('journal_mode = WAL');
    const db2 = new Database(file);
    db2.pragma('busy_timeout = 2000');
    return {
      a: openEventStores({ kind: 'sqlite', db: db1 }, clock.now),
      b: openEventStores({ kind: 'sqlite', db: db2 }, clock.now),
      clock,
      lapse: async (ms) => clock.advance(ms),
      close: async () => {
        db1.close();
        db2.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

describe('event stores: Redis (two clients, one server)', () => {
  let server: RedisChild;
  before(async () => {
    server = await RedisChild.start();
  });
  after(async () => {
    await server.stop();
  });
  storeContract(async () => {
    const clock = new Clock();
    const c1 = createClient({ url: server.url });
    const c2 = createClient({ url: server.url });
    await Promise.all([c1.connect(), c2.connect()]);
    return {
      a: openEventStores({ kind: 'redis', redis: c1 }, clock.now),
      b: openEventStores({ kind: 'redis', redis: c2 }, clock.now),
      clock,
      // PX expiry is the server's: wait until it has passed.
      lapse: (ms) => new Promise((r) => setTimeout(r, ms + 30)),
      close: async () => {
        await Promise.all([c1.close(), c2.close()]);
      },
    };
  });
});
