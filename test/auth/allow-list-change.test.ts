// An operator narrows the allow-list and restarts: sessions signed in under the old list end at their next
// request (and take their tokens with them), instead of living on for the rest of their lifetime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisChild } from '../support/redis.js';
import { startCluster } from '../support/cluster.js';

test('allow-list changes take effect on existing sessions at their next request', { timeout: 30_000 }, async () => {
  const redis = await RedisChild.start();
  const cluster = await startCluster({
    instances: 1,
    env: { SESSION_STORE: redis.url, ALLOWED_DOMAINS: 'example.com' },
  });
  try {
    const alice = await cluster.signIn('alice@example.com');
    const bob = await cluster.signIn('bob@example.com');
    const base = cluster.instances[0]!.baseUrl;
    assert.equal((await alice.request(`${base}/me`)).status, 200);
    // The organisation now admits only Bob, by e-mail.
    await cluster.restart(0, { ALLOWED_DOMAINS: '', ALLOWED_EMAILS: 'bob@example.com' }, ['ALLOWED_DOMAINS']);
    const refused = await alice.request(`${base}/`);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /no longer/i);
    assert.equal((await alice.request(`${base}/me`)).status, 401, 'signed out');
    assert.equal((await bob.request(`${base}/me`)).status, 200, 'an admitted session carries on');
    assert.equal(cluster.instances[0]!.logs.events('session-ended').length, 1);
  } finally {
    await cluster.close();
    await redis.stop();
  }
});
