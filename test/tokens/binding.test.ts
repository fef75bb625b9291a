// Whoever can write the session store (a Redis without AUTH on a shared network) must not be able to make one
// session use another session's Google tokens: a token record is bound to the session it belongs to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { RedisChild } from '../support/redis.js';
import { startStack, type Stack } from '../support/stack.js';
import type { TestBrowser } from '../support/browser.js';

let redis: RedisChild;
let stack: Stack;
let client: ReturnType<typeof createClient>;
before(async () => {
  redis = await RedisChild.start();
  stack = await startStack({ env: { SESSION_STORE: redis.url } });
  client = createClient({ url: redis.url });
  await client.connect();
});
after(async () => {
  await client?.close();
  await stack?.close();
  await redis?.stop();
});

function sessionId(b: TestBrowser): string {
  const raw = decodeURIComponent(b.cookie('localhost', 'scopewise') ?? '');
  return raw.slice(2, raw.lastIndexOf('.'));
}

test('a token record copied under another session, or a session pointed at another record, opens nothing', async () => {
  // The victim (bob) holds Compute access; the attacker (alice, a legitimate user with store access) holds none.
  const victim = await stack.signIn('bob@example.com');
  await stack.control('settings', { autoApprove: { email: 'bob@example.com' } });
  const granted = await victim.follow(
    `${stack.baseUrl}/consent/vms?returnTo=${encodeURIComponent('/vms?project=acme-prod')}`,
  );
  assert.equal(granted.status, 200);
  await granted.arrayBuffer();
  const attacker = await stack.signIn('alice@example.com');
  const victimSid = sessionId(victim);
  const attackerSid = sessionId(attacker);
  const victimSession = JSON.parse((await client.get(`scopewise:sess:${victimSid}`))!) as Record<string, unknown>;
  const victimRecord = await client.hGetAll(`scopewise:tokens:${victimSid}`);
  assert.ok(victimRecord.r, 'the victim has a token record');

  // 1. Rewrite the attacker's own session to be the victim (same user, same token reference).
  const forged = { ...victimSession };
  await client.set(`scopewise:sess:${attackerSid}`, JSON.stringify(forged), { expiration: { type: 'EX', value: 600 } });
  // 2. And copy the victim's token record under the attacker's session id.
  await client.hSet(`scopewise:tokens:${attackerSid}`, victimRecord);
  await client.expire(`scopewise:tokens:${attackerSid}`, 600);

  const before = (await stack.control('counts')) as Record<string, number>;
  const res = await attacker.request(`${stack.baseUrl}/vms?project=acme-prod`);
  const html = await res.text();
  const after = (await stack.control('counts')) as Record<string, number>;
  assert.equal(
    after['api:compute:v1:instances.aggregatedList'] ?? 0,
    before['api:compute:v1:instances.aggregatedList'] ?? 0,
    "no Compute call was made with the victim's token",
  );
  assert.doesNotMatch(html, /web-1|instance-/i, "no VM of the victim's project is listed");
  // The victim is unaffected.
  const victimPage = await victim.request(`${stack.baseUrl}/vms?project=acme-prod`);
  assert.equal(victimPage.status, 200);
  await victimPage.arrayBuffer();
});
