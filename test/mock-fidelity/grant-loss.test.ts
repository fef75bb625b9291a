// Refresh tokens Google stops honouring: the per-account cap (issuing one more silently invalidates the oldest)
// and the 7-day expiry of apps in Testing status. Scopewise's reaction: the affected session shows the feature's
// "grant again" page (never an error page), and one consent click makes it work again.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { ALICE, grantLink } from '../support/index.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
beforeEach(() => stack.control('reset', {}));
after(() => stack.close());

const LOGS = '/logs?project=acme-prod';

async function expectOneClickRecovery(b: Awaited<ReturnType<Stack['signIn']>>): Promise<void> {
  const page = await stack.follow(b, LOGS);
  assert.ok(page.status < 500, `no error page (status ${page.status})`);
  assert.match(page.html, /Google access was removed|expired/i);
  const link = grantLink(page.html);
  assert.ok(link?.startsWith('/consent/logs'), `a grant link: ${link}`);
  await stack.control('settings', { autoApprove: { email: ALICE } });
  const again = await b.follow(`${stack.baseUrl}${link}`);
  assert.equal(again.status, 200);
  const after = await stack.follow(b, LOGS);
  assert.equal(after.status, 200);
  assert.doesNotMatch(after.html, /Grant access at Google/);
}

test('the refresh-token cap: a newer sign-in elsewhere invalidates the oldest token; that session recovers in one click', async () => {
  await stack.control('settings', { refreshTokenCap: 1 });
  const first = await stack.signIn(ALICE);
  assert.equal((await stack.grant(first, 'logs', LOGS)).status, 200);
  const second = await stack.signIn(ALICE);
  assert.equal((await stack.grant(second, 'logs', LOGS)).status, 200);
  const grants = (await stack.control(`grants?email=${encodeURIComponent(ALICE)}`)) as { refreshTokens: number };
  assert.equal(grants.refreshTokens, 1, 'the oldest refresh token was silently invalidated');
  await stack.control('clock', { advanceSeconds: 3601 });
  assert.equal((await stack.follow(second, LOGS)).status, 200, 'the newer session refreshes fine');
  // (With a cap of 1, the recovery below in turn invalidates the second session's token: the cap is per account.)
  await expectOneClickRecovery(first);
});

test('Testing publishing status: refresh tokens expire after 7 days; the session asks again cleanly', async () => {
  await stack.control('settings', { publishingStatus: 'testing' });
  const b = await stack.signIn(ALICE);
  assert.equal((await stack.grant(b, 'logs', LOGS)).status, 200);
  await stack.control('clock', { advanceSeconds: 6 * 24 * 3600 });
  assert.equal((await stack.follow(b, LOGS)).status, 200, 'day 6: refreshed fine');
  await stack.control('clock', { advanceSeconds: 24 * 3600 + 60 });
  await expectOneClickRecovery(b);
});
