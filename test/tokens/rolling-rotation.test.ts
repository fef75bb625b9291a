// The README's key rotation, done as operators do it: two instances on Redis, restarted one at a time with the
// new key first. While only one of them knows the new key, requests on the other answer 503 and keep the
// grant; when both know it, every feature works again without asking Google for consent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { RedisChild } from '../support/redis.js';
import { startCluster } from '../support/cluster.js';

const EMAIL = 'alice@example.com';

test('a rolling key rotation across two instances on Redis loses no grant', { timeout: 60_000 }, async () => {
  const redis = await RedisChild.start();
  const OLD = generateKeySpec('old');
  const NEW = generateKeySpec('new');
  const cluster = await startCluster({ instances: 2, env: { SESSION_STORE: redis.url, TOKEN_KEYS: OLD } });
  try {
    // Alice uses two features through instance B; the mock issues short-lived access tokens so refreshes happen.
    await cluster.control('settings', { accessTokenTtlSeconds: 2 });
    const browser = await cluster.signIn(EMAIL, 1);
    for (const feature of ['vms', 'buckets']) {
      const res = await browser.follow(`${cluster.instances[1]!.baseUrl}/consent/${feature}?returnTo=/${feature}`);
      await res.arrayBuffer();
      assert.equal(res.status, 200, `${feature} granted`);
    }
    const grantsBefore = (await cluster.control(`grants?email=${encodeURIComponent(EMAIL)}`)) as {
      scopes: string[];
      refreshTokens: number;
    };
    const authorizeBefore = ((await cluster.control('counts')) as { authorize: number }).authorize;

    // Step 1: A restarts with NEW,OLD. A request there refreshes and seals under NEW.
    await cluster.restart(0, { TOKEN_KEYS: `${NEW},${OLD}` });
    await new Promise((r) => setTimeout(r, 2100)); // the access token has expired: A refreshes and seals under NEW
    const onA = await browser.request(`${cluster.instances[0]!.baseUrl}/vms?project=acme-prod`);
    assert.equal(onA.status, 200, 'A (new keyring) serves the feature');
    await onA.arrayBuffer();

    // Step 2: B (still OLD only) meets a record sealed under NEW: 503, nothing dropped.
    const onB = await browser.request(`${cluster.instances[1]!.baseUrl}/vms?project=acme-prod`);
    const page = await onB.text();
    assert.equal(onB.status, 503, page.slice(0, 300));
    assert.match(page, /key/i);
    assert.equal(onB.headers.get('retry-after') !== null, true);

    // Step 3: B restarts with NEW,OLD: the same session and grant work on both, with no new consent.
    await cluster.restart(1, { TOKEN_KEYS: `${NEW},${OLD}` });
    for (const inst of cluster.instances) {
      for (const path of ['/vms?project=acme-prod', '/buckets?project=acme-prod']) {
        const res = await browser.request(`${inst.baseUrl}${path}`);
        assert.equal(res.status, 200, `${inst.baseUrl}${path}`);
        await res.arrayBuffer();
      }
    }
    const grantsAfter = (await cluster.control(`grants?email=${encodeURIComponent(EMAIL)}`)) as {
      scopes: string[];
      refreshTokens: number;
      revoked: boolean;
    };
    assert.deepEqual(grantsAfter.scopes, grantsBefore.scopes, 'the grant at Google is unchanged');
    assert.equal(grantsAfter.revoked, false);
    assert.equal(
      ((await cluster.control('counts')) as { authorize: number }).authorize,
      authorizeBefore,
      'nobody was sent to Google for consent',
    );
  } finally {
    await cluster.close();
    await redis.stop();
  }
});
