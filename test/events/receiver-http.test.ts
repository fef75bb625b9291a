// POST /risc over HTTP, fed by the mock Google acting as the RISC transmitter: every event type's effect on
// sessions and tokens held in Redis, every bad token refused with 400 and nothing changed, a replayed jti
// ignored across two instances sharing Redis, key rotation, and the route's own limits.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createClient } from 'redis';
import { accountActionsFrom, type SessionOperations } from '../../src/events/execute.js';
import { createRiscReceiver } from '../../src/events/receiver.js';
import { createRiscRouter } from '../../src/events/router.js';
import { openEventStores, type EventStores } from '../../src/storage/account-events/index.js';
import type { RefreshTokenMatcher } from '../../src/events/token-match.js';
import { TransmitterKeys } from '../../src/events/transmitter-keys.js';
import type { MockGoogle } from '../../mock-google/server.js';
import { CLIENT, mockControl, getTokens, startMock } from '../support/mock.js';
import { RedisChild } from '../support/redis.js';

const ALICE = '100000000000000000001';
const BOB = '100000000000000000002';
const DAY = 86_400_000;
const newRedis = (url: string) => createClient({ url });
type Redis = ReturnType<typeof newRedis>;

/**
 * A stand-in for the app's session layer on Redis (the lead's real one replaces it): sessions are hashes
 * `test:sess:<id>` {sub, refresh?}, found by sub through the subject index, so any instance can end them.
 */
function redisSessions(
  redis: Redis,
  stores: EventStores,
): SessionOperations & { create(id: string, sub: string, refresh?: string): Promise<void> } {
  const key = (id: string) => `test:sess:${id}`;
  return {
    async create(id, sub, refresh) {
      await redis.hSet(key(id), { sub, ...(refresh ? { refresh } : {}) });
      await stores.subjects.add(
        sub,
        id,
        { createdAt: Date.now(), lastSeenAt: Date.now(), userAgent: 'test', ip: '127.0.0.1' },
        DAY,
      );
    },
    async endSessions(sub) {
      let n = 0;
      for (const s of await stores.subjects.list(sub)) {
        n += await redis.del(key(s.sessionId));
        await stores.subjects.remove(sub, s.sessionId);
      }
      return n;
    },
    async dropRefreshTokens(sub) {
      let n = 0;
      for (const s of await stores.subjects.list(sub)) n += await redis.hDel(key(s.sessionId), 'refresh');
      return n;
    },
    async dropMatchingRefreshToken(matcher: RefreshTokenMatcher) {
      let n = 0;
      for await (const keys of redis.scanIterator({ MATCH: 'test:sess:*' })) {
        for (const k of keys as unknown as string[]) {
          const refresh = await redis.hGet(k, 'refresh');
          if (refresh && matcher.matches(refresh)) n += await redis.hDel(k, 'refresh');
        }
      }
      return n;
    },
  };
}

interface Instance {
  url: string;
  audits: Array<{ event: string; fields: Record<string, unknown> }>;
  redis: Redis;
  stores: EventStores;
  sessions: ReturnType<typeof redisSessions>;
  keys: TransmitterKeys;
  close(): Promise<void>;
}

async function startInstance(
  mock: MockGoogle,
  redisUrl: string,
  opts: { rateLimitPerMinute?: number; minRefetchIntervalMs?: number } = {},
): Promise<Instance> {
  const redis = newRedis(redisUrl);
  await redis.connect();
  const stores = openEventStores({ kind: 'redis', redis });
  const sessions = redisSessions(redis, stores);
  const audits: Instance['audits'] = [];
  const keys = new TransmitterKeys({
    configurationUrl: `${mock.url}/.well-known/risc-configuration`,
    minRefetchIntervalMs: opts.minRefetchIntervalMs ?? 60_000,
  });
  const receiver = createRiscReceiver({
    keys,
    clientIds: [CLIENT.clientId],
    subjectIssuers: [mock.issuer],
    jti: stores.jti,
    accounts: accountActionsFrom({ sessions, blocks: stores.blocks, credentialChanges: stores.credentialChanges }),
    audit: (event, fields) => audits.push({ event, fields }),
    maxAgeMs: 7 * DAY,
    clockSkewMs: 300_000,
  });
  const app = express();
  app.use('/risc', createRiscRouter({ receiver, rateLimitPerMinute: opts.rateLimitPerMinute ?? 1000 }));
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/risc`,
    audits,
    redis,
    stores,
    sessions,
    keys,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await redis.close();
    },
  };
}

let mock: MockGoogle;
let redisServer: RedisChild;
let a: Instance;
let b: Instance;

before(async () => {
  [mock, redisServer] = await Promise.all([startMock(), RedisChild.start()]);
  a = await startInstance(mock, redisServer.url);
  b = await startInstance(mock, redisServer.url);
});
after(async () => {
  await Promise.all([a.close(), b.close()]);
  await Promise.all([mock.close(), redisServer.stop()]);
});
beforeEach(async () => {
  await mockControl(mock, 'reset', {});
  await a.redis.flushAll();
  a.audits.length = 0;
  b.audits.length = 0;
  await mockControl(mock, 'risc/stream', { url: a.url });
  await a.sessions.create('alice-1', ALICE, '1//0alice-first-refresh-token-aaaaaaaaaaaa');
  await b.sessions.create('alice-2', ALICE, '1//0alice-second-refresh-token-bbbbbbbbbbb');
  await a.sessions.create('bob-1', BOB, '1//0bob-refresh-token-cccccccccccccccccccccc');
});

const send = (body: Record<string, unknown>) => mockControl(mock, 'risc/send', body);
const sessionIds = async () =>
  ((await a.redis.keys('test:sess:*')) as string[]).map((k) => k.slice('test:sess:'.length)).sort();
const refreshOf = (id: string) => a.redis.hGet(`test:sess:${id}`, 'refresh');
const reactions = () =>
  [...a.audits, ...b.audits].filter((l) => !['risc-set-refused', 'risc-set-duplicate'].includes(l.event));

describe('RISC receiver over HTTP: reactions to each event type', () => {
  it('sessions-revoked: every session of the user ends, wherever it was created; others stay', async () => {
    const r = await send({ email: 'alice@example.com', type: 'sessions-revoked' });
    assert.equal(r.status, 202);
    assert.deepEqual(await sessionIds(), ['bob-1']);
    assert.deepEqual(await b.stores.subjects.list(ALICE), []);
    assert.deepEqual(
      reactions().map((l) => [l.event, l.fields['sessions']]),
      [['risc-sessions-ended', 2]],
    );
  });

  it('tokens-revoked: the user’s refresh tokens are dropped, the sessions stay', async () => {
    assert.equal((await send({ email: 'alice@example.com', type: 'tokens-revoked' })).status, 202);
    assert.deepEqual(await sessionIds(), ['alice-1', 'alice-2', 'bob-1']);
    assert.equal(await refreshOf('alice-1'), null);
    assert.equal(await refreshOf('alice-2'), null);
    assert.ok(await refreshOf('bob-1'));
  });

  it('token-revoked: the one matching refresh token (a real one from the mock) is dropped, by hash or by prefix', async () => {
    for (const tokenAlg of ['hash_base64_sha512_sha512', 'prefix'] as const) {
      const { tokens } = await getTokens(mock, {
        scope: 'openid email',
        extra: { access_type: 'offline', prompt: 'consent' },
      });
      assert.ok(tokens.refresh_token);
      await a.sessions.create('alice-3', ALICE, tokens.refresh_token);
      const r = await send({ email: 'alice@example.com', type: 'token-revoked', tokenAlg });
      assert.equal(r.status, 202, r.body);
      assert.equal(await refreshOf('alice-3'), null, tokenAlg);
      assert.ok(await refreshOf('alice-1'), 'the other tokens stay');
      assert.ok(await refreshOf('alice-2'));
    }
  });

  it('account-disabled: sign-in blocked with the reason, sessions ended; account-enabled lifts it', async () => {
    assert.equal(
      (await send({ email: 'alice@example.com', type: 'account-disabled', reason: 'hijacking' })).status,
      202,
    );
    assert.deepEqual(await sessionIds(), ['bob-1']);
    assert.equal(
      (await b.stores.blocks.isBlocked(ALICE))?.reason,
      'hijacking',
      'the block is seen by the other instance',
    );
    // The SET's iat has second precision: the enable must come from a later second to be the newer decision.
    await mockControl(mock, 'clock', { advanceSeconds: 2 });
    assert.equal((await send({ email: 'alice@example.com', type: 'account-enabled' })).status, 202);
    assert.equal(await a.stores.blocks.isBlocked(ALICE), null);
  });

  it('account-credential-change-required: recorded for the next page; sessions untouched', async () => {
    assert.equal((await send({ email: 'alice@example.com', type: 'account-credential-change-required' })).status, 202);
    assert.ok(await b.stores.credentialChanges.get(ALICE));
    assert.equal((await sessionIds()).length, 3);
  });

  it('verification: logged with its state and acknowledged', async () => {
    assert.equal((await send({ type: 'verification', state: 'hello-from-test' })).status, 202);
    assert.deepEqual(
      reactions().map((l) => [l.event, l.fields['state']]),
      [['risc-verification', 'hello-from-test']],
    );
  });
});

describe('RISC receiver over HTTP: bad tokens are refused with 400 and change nothing', () => {
  const cases: Array<[string, string]> = [
    ['wrong-aud', 'invalid_audience'],
    ['wrong-iss', 'invalid_issuer'],
    ['wrong-signature', 'authentication_failed'],
    ['unknown-kid', 'invalid_key'],
    ['oidc-key', 'invalid_key'],
    ['alg-none', 'invalid_key'],
    ['expired-iat', 'invalid_request'],
    ['future-iat', 'invalid_request'],
    ['no-events', 'invalid_request'],
    ['no-jti', 'invalid_request'],
    ['wrong-content-type', 'invalid_request'],
  ];
  for (const [bad, err] of cases) {
    it(`${bad} → 400 ${err}`, async () => {
      const r = await send({ email: 'alice@example.com', type: 'account-disabled', reason: 'hijacking', bad });
      assert.equal(r.status, 400, r.body);
      assert.equal(JSON.parse(r.body).err, err);
      assert.equal(typeof JSON.parse(r.body).description, 'string');
      assert.deepEqual(await sessionIds(), ['alice-1', 'alice-2', 'bob-1']);
      assert.equal(await a.stores.blocks.isBlocked(ALICE), null);
      assert.deepEqual(reactions(), []);
    });
  }

  it('replayed-jti → 202, acted on once', async () => {
    assert.equal(
      (await send({ email: 'alice@example.com', type: 'account-disabled', reason: 'hijacking' })).status,
      202,
    );
    await a.sessions.create('alice-4', ALICE);
    const replay = await send({ email: 'alice@example.com', type: 'account-disabled', bad: 'replayed-jti' });
    assert.equal(replay.status, 202);
    assert.ok((await sessionIds()).includes('alice-4'), 'the replay did not end the new session');
    assert.equal(reactions().filter((l) => l.event === 'risc-sessions-ended').length, 1);
  });
});

describe('RISC receiver over HTTP: two instances sharing Redis', () => {
  it('a jti accepted by one instance is a duplicate at the other: the reaction runs once', async () => {
    assert.equal((await send({ email: 'alice@example.com', type: 'sessions-revoked' })).status, 202);
    await b.sessions.create('alice-5', ALICE);
    const replay = await send({ type: 'sessions-revoked', bad: 'replayed-jti', url: b.url });
    assert.equal(replay.status, 202);
    assert.deepEqual(await sessionIds(), ['alice-5', 'bob-1']);
    assert.deepEqual(
      b.audits.map((l) => l.event),
      ['risc-set-duplicate'],
    );
    assert.equal(reactions().length, 1);
  });

  it('the same new token delivered to both at once: exactly one acts', async () => {
    assert.equal((await send({ email: 'bob@example.com', type: 'tokens-revoked' })).status, 202);
    const deliveries = await Promise.all([
      send({ type: 'tokens-revoked', bad: 'replayed-jti', url: a.url }),
      send({ type: 'tokens-revoked', bad: 'replayed-jti', url: b.url }),
    ]);
    assert.deepEqual(
      deliveries.map((d) => d.status),
      [202, 202],
    );
    assert.equal(reactions().length, 1);
  });
});

describe('RISC receiver over HTTP: keys, limits and the route itself', () => {
  it('after the transmitter rotates its key, the next token is accepted (one refetch)', async () => {
    const fresh = await startInstance(mock, redisServer.url, { minRefetchIntervalMs: 0 });
    try {
      assert.equal((await send({ type: 'verification', state: 'before', url: fresh.url })).status, 202);
      await mockControl(mock, 'risc/rotate-key', {});
      assert.equal((await send({ type: 'verification', state: 'after', url: fresh.url })).status, 202);
      assert.equal(fresh.keys.stats.keyFetches, 2);
    } finally {
      await fresh.close();
    }
  });

  it('body larger than the cap → 400; GET → 405; no cookie is ever set', async () => {
    const big = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt' },
      body: 'x'.repeat(70 * 1024),
    });
    assert.equal(big.status, 400);
    assert.deepEqual(await big.json(), {
      err: 'invalid_request',
      description: 'The security event token is larger than this receiver accepts.',
    });
    const get = await fetch(a.url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal(big.headers.get('set-cookie'), null);
    assert.deepEqual(reactions(), []);
  });

  it('rate limited per client address: 429 beyond the limit', async () => {
    const limited = await startInstance(mock, redisServer.url, { rateLimitPerMinute: 2 });
    try {
      const post = () =>
        fetch(limited.url, {
          method: 'POST',
          headers: { 'content-type': 'application/secevent+jwt' },
          body: 'not-a-token',
        });
      assert.deepEqual([(await post()).status, (await post()).status], [400, 400]);
      const third = await post();
      assert.equal(third.status, 429);
      assert.equal((await third.json()).err, 'access_denied');
    } finally {
      await limited.close();
    }
  });
});
