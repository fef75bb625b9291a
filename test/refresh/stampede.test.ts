// The refresh stampede, measured: two instances sharing one Redis and one mock Google; a session whose access
// token has expired; 100 concurrent requests for an access token spread over both instances → the mock sees
// exactly one refresh (single-flight in each process, the Redis lock across them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { startCluster, type Cluster } from '../support/cluster.js';
import { REDIS_URL, redisUnavailable } from '../support/redis.js';

const skip = await redisUnavailable();
if (skip) console.log(`# skipping the stampede test: ${skip}`);
const EMAIL = 'alice@example.com';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('100 concurrent token requests over two instances at expiry: exactly 1 refresh at the issuer', {
  skip,
  timeout: 60_000,
}, async () => {
  const cluster: Cluster = await startCluster({ instances: 2, env: { SESSION_STORE: REDIS_URL } });
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const cleanup: string[] = [];
  try {
    const [a, b] = cluster.instances as [Cluster['instances'][0], Cluster['instances'][0]];
    // Tokens that live 2 s, so the one the consent gives is expired by the time of the burst.
    await cluster.control('settings', { accessTokenTtlSeconds: 2 });
    const browser = await cluster.signIn(EMAIL, 0);
    await (await browser.request(`${b.baseUrl}/`)).arrayBuffer(); // the user is now on a page of the other instance
    const consent = await browser.follow(`${b.baseUrl}/consent/vms?returnTo=/`); // and consents there
    await consent.arrayBuffer();
    assert.equal(consent.status, 200, browser.history.map((h) => `${h.status} ${h.url}`).join(' → '));

    // The session (shared through Redis) names the token record.
    const raw = decodeURIComponent(browser.cookie('localhost', 'scopewise') ?? '');
    const sid = raw.slice(2, raw.lastIndexOf('.'));
    const session = JSON.parse((await redis.get(`scopewise:sess:${sid}`)) ?? 'null') as {
      user?: { sub: string };
    } | null;
    assert.ok(session?.user, 'a signed-in session');
    const { user } = session;
    const ref = sid; // its token record is keyed by the session id
    cleanup.push(`scopewise:sess:${sid}`, `scopewise:tokens:${ref}`, `scopewise:lock:refresh:${ref}`);
    assert.equal(await a.app.vault.hasRefreshToken(ref, user.sub), true);
    const before = await a.app.vault.record(ref);

    await sleep(2300); // the access token has expired
    await cluster.control('settings', { accessTokenTtlSeconds: 30 }); // shorter than the vault's 60 s skew
    const counts0 = (await cluster.control('counts')) as { refresh: number };

    const burst = () =>
      Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).app.vault.accessToken(ref, user.sub)));
    const results = await burst();
    const counts1 = (await cluster.control('counts')) as { refresh: number };
    assert.equal(counts1.refresh - counts0.refresh, 1, 'exactly one refresh for 100 concurrent requests');
    const tokens = new Set(results.map((r) => r.accessToken));
    assert.equal(tokens.size, 1, 'every request got the same new token');
    const after = await a.app.vault.record(ref);
    assert.equal(after!.version, before!.version + 1, 'one write');

    // The new token lives 30 s, less than the skew: it is still used, not refreshed on every request.
    const again = await burst();
    const counts2 = (await cluster.control('counts')) as { refresh: number };
    assert.equal(counts2.refresh - counts1.refresh, 0, 'no refresh for a freshly refreshed short-lived token');
    assert.deepEqual(new Set(again.map((r) => r.accessToken)), tokens);
    assert.equal(await redis.exists(`scopewise:lock:refresh:${ref}`), 0, 'the lock was released');
  } finally {
    if (cleanup.length) await redis.del(cleanup);
    await redis.close();
    await cluster.close();
  }
});
