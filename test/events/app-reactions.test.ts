// Account events through the whole app: the mock Google, acting as Google's Cross-Account Protection
// transmitter, sends a security event token to Scopewise's /risc; what the admin then notices in Scopewise.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, sessionIdOf, text, type TestBrowser } from '../support/index.js';

// An event ends the sessions signed in up to the end of the second its iat names: each test starts two seconds
// after the previous one's events, on the app's clock and on the mock's (which dates the events) alike.
const clock = { offset: 0 };
const stack = useStack({ now: () => Date.now() + clock.offset });
const ALICE = 'alice@example.com';

beforeEach(async () => {
  clock.offset += 2000;
  await stack.control('clock', { advanceSeconds: clock.offset / 1000 });
  await stack.control('risc/stream', { url: `${stack.baseUrl}/risc` });
});

async function send(body: Record<string, unknown>): Promise<{ status: number | null; delivered: boolean }> {
  return (await stack.control('risc/send', body)) as { status: number | null; delivered: boolean };
}

async function signedInWithVms(email = ALICE): Promise<TestBrowser> {
  const b = await stack.signIn(email);
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod', email)).status, 200);
  return b;
}

const me = async (b: TestBrowser) => (await b.request(`${stack.baseUrl}/me`)).status;

test('sessions-revoked: every session of that user ends and holds no token; other users carry on', async () => {
  const laptop = await signedInWithVms();
  const phone = await signedInWithVms();
  const bob = await signedInWithVms('bob@example.com');
  const sids = [sessionIdOf(laptop), sessionIdOf(phone)];
  const r = await send({ email: ALICE, type: 'sessions-revoked' });
  assert.equal(r.status, 202);
  assert.equal(await me(laptop), 401);
  assert.equal(await me(phone), 401);
  for (const sid of sids) assert.equal(await stack.app.storage.tokens.get(sid), null, 'no token left');
  assert.equal(await me(bob), 200, 'Bob is not affected');
  assert.equal(stack.logs.events('risc-sessions-ended').length, 1);
});

test('account-disabled (hijacking): sessions end and sign-in is refused until account-enabled', async () => {
  const b = await signedInWithVms();
  assert.equal((await send({ email: ALICE, type: 'account-disabled', reason: 'hijacking' })).status, 202);
  assert.equal(await me(b), 401);
  await stack.control('settings', { autoApprove: { email: ALICE } });
  const refused = await b.follow(`${stack.baseUrl}/login?returnTo=%2F`);
  assert.equal(refused.status, 403);
  assert.match(text(await refused.text()), /security event on this account/);
  assert.equal(stack.logs.events('sign-in-refused').at(-1)?.reason, 'ACCOUNT_DISABLED');
  // Decisions are ordered by the events' times (a redelivered old event cannot undo a newer one): Google's
  // account-enabled comes later.
  await stack.control('clock', { advanceSeconds: 2 });
  clock.offset += 2000;
  assert.equal((await send({ email: ALICE, type: 'account-enabled' })).status, 202);
  const again = await stack.signIn();
  assert.equal(await me(again), 200, 'signs in again once Google re-enabled the account');
});

test('tokens-revoked: the session stays, its Google access is dropped, and features ask again clearly', async () => {
  const b = await signedInWithVms();
  const sid = sessionIdOf(b);
  assert.equal((await send({ email: ALICE, type: 'tokens-revoked' })).status, 202);
  assert.equal(await me(b), 200, 'still signed in');
  const rec = await stack.app.storage.tokens.get(sid);
  assert.equal(rec?.sealed, undefined, 'the sealed tokens are gone');
  const vms = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(vms.status, 200);
  assert.match(text(vms.html), /Google access was removed/);
  assert.match(vms.html, /Grant access at Google/);
});

test('token-revoked: only the session holding that refresh token loses its access', async () => {
  const first = await signedInWithVms();
  const second = await signedInWithVms();
  const firstSid = sessionIdOf(first);
  const secondSid = sessionIdOf(second);
  // The newest refresh token at the mock is the second session's (its consent came last).
  assert.equal((await send({ email: ALICE, type: 'token-revoked', tokenAlg: 'prefix' })).status, 202);
  assert.ok((await stack.app.storage.tokens.get(firstSid))?.sealed, 'the other session keeps its tokens');
  assert.equal((await stack.app.storage.tokens.get(secondSid))?.sealed, undefined);
  assert.equal(await me(second), 200);
});

test('account-credential-change-required: the next /account shows it once', async () => {
  const b = await stack.signIn();
  assert.equal((await send({ email: ALICE, type: 'account-credential-change-required' })).status, 202);
  const first = text((await stack.get(b, '/account')).html);
  assert.match(first, /Google asked you to change your password/);
  const second = text((await stack.get(b, '/account')).html);
  assert.doesNotMatch(second, /Google asked you to change your password/, 'acknowledged by being shown');
});

test('verification events are acknowledged and audited; a bad token changes nothing', async () => {
  const b = await stack.signIn();
  assert.equal((await send({ type: 'verification', state: 'hello' })).status, 202);
  assert.equal(stack.logs.events('risc-verification').length, 1);
  for (const bad of ['wrong-aud', 'wrong-signature', 'expired-iat']) {
    const r = await send({ email: ALICE, type: 'sessions-revoked', bad });
    assert.equal(r.status, 400, bad);
  }
  assert.equal(await me(b), 200, 'nothing ended');
});

test('"sign out other sessions" on /account ends them all but this one', async () => {
  const here = await signedInWithVms();
  const elsewhere = await signedInWithVms();
  const page = await stack.get(here, '/account');
  assert.match(text(page.html), /\(this session\)/);
  assert.equal((page.html.match(/<td>[^<]* on [^<]*<\/td>/g) ?? []).length >= 1, true);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  const res = await here.postForm(`${stack.baseUrl}/account/sign-out-others`, { _csrf: csrf });
  assert.equal(res.status, 303);
  assert.equal(await me(elsewhere), 401);
  assert.equal(await me(here), 200);
  assert.equal(await stack.app.storage.tokens.get(sessionIdOf(elsewhere)), null);
  assert.ok(Number(stack.logs.events('sign-out-others').at(-1)?.ended) >= 1, 'audited with how many ended');
});
