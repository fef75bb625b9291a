// Behind one proxy (TRUST_PROXY=1) the sign-in rate limit counts the address the proxy saw, so a client
// cannot pick a fresh address per request with its own X-Forwarded-For entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';

const stack = useStack({ ...{ env: { TRUST_PROXY: '1', RATE_LIMIT_PER_MINUTE: '3' } }, reset: false });

test('spoofed X-Forwarded-For entries do not escape the sign-in rate limit', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    // What the client sent ("10.9.9.<i>"), then what the proxy appended: the client's real address.
    const res = await fetch(`${stack.baseUrl}/login`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.9` },
    });
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  assert.deepEqual(statuses, [303, 303, 303, 429, 429, 429]);
  // Another real client (another address appended by the proxy) is not locked out.
  const other = await fetch(`${stack.baseUrl}/login`, {
    redirect: 'manual',
    headers: { 'x-forwarded-for': '203.0.113.10' },
  });
  assert.equal(other.status, 303);
});
