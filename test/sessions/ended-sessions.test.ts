// A session that ended stays ended, and takes its Google tokens with it: sign-out while a slow request is still
// running, idle expiry, and an account switch in the same browser.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';
import { TestBrowser, hiddenInput, sessionIdOf } from '../support/browser.js';

const clock = { offset: 0 };
const stack = useStack({ now: () => Date.now() + clock.offset });
beforeEach(() => {
  clock.offset = 0;
});
const sessionId = (b: TestBrowser) => sessionIdOf(b);

async function signedInWithVms(email = 'alice@example.com'): Promise<TestBrowser> {
  const b = await stack.signIn(email);
  const res = await stack.grant(b, 'vms', '/vms?project=acme-prod', email);
  assert.equal(res.status, 200);
  return b;
}

async function csrfToken(b: TestBrowser): Promise<string> {
  return hiddenInput(await (await b.request(`${stack.baseUrl}/`)).text(), '_csrf')!;
}

test('sign-out while a slow request runs: the old cookie stays signed out, its tokens stay gone', async () => {
  const b = await signedInWithVms();
  const sid = sessionId(b);
  const oldCookie = b.cookie('localhost', 'scopewise')!;
  const token = await csrfToken(b);
  await stack.control('inject', { endpoint: 'api', delayMs: 1000, times: 1 });
  // A page that changes the session (the project it remembers), so that its end saves the session.
  const slow = b.request(`${stack.baseUrl}/vms?project=acme-staging`);
  await new Promise((r) => setTimeout(r, 300));
  const out = await b.postForm(`${stack.baseUrl}/logout`, { _csrf: token });
  assert.equal(out.status, 303);
  const late = await slow;
  await late.arrayBuffer();
  const replay = new TestBrowser();
  replay.jar.set('localhost', new Map([['scopewise', oldCookie]]));
  assert.equal((await replay.request(`${stack.baseUrl}/me`)).status, 401, 'the session did not come back');
  assert.equal(await stack.app.storage.tokens.get(sid), null, 'no token record');
});

test('disconnect while a slow request runs: the same', async () => {
  const b = await signedInWithVms();
  const oldCookie = b.cookie('localhost', 'scopewise')!;
  const token = await csrfToken(b);
  await stack.control('inject', { endpoint: 'api', delayMs: 1000, times: 1 });
  const slow = b.request(`${stack.baseUrl}/vms?project=acme-staging`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await b.postForm(`${stack.baseUrl}/disconnect`, { _csrf: token })).status, 303);
  await (await slow).arrayBuffer();
  const replay = new TestBrowser();
  replay.jar.set('localhost', new Map([['scopewise', oldCookie]]));
  assert.equal((await replay.request(`${stack.baseUrl}/me`)).status, 401);
});

// The token record is renewed with its session and has the same lifetime, so a record that outlived its session
// would still be here; that ending a session deletes its record at once is the store contract's test ("destroying
// a session removes its token record", on every backend).
test('idle expiry ends the session and drops its token record at once', async () => {
  const b = await signedInWithVms();
  const sid = sessionId(b);
  assert.ok(await stack.app.storage.tokens.get(sid), 'a token record while signed in');
  clock.offset = (Number(stack.config.sessionIdleMinutes) + 1) * 60_000;
  const res = await b.request(`${stack.baseUrl}/me`);
  assert.equal(res.status, 401);
  assert.equal(await stack.app.storage.tokens.get(sid), null, 'the sealed refresh token went with the session');
});

test('absolute expiry does the same', async () => {
  const b = await signedInWithVms();
  const sid = sessionId(b);
  // Stay active (a request every half idle lifetime) until past the absolute lifetime.
  const step = (stack.config.sessionIdleMinutes * 60_000) / 2;
  const end = stack.config.sessionAbsoluteHours * 3_600_000;
  while (clock.offset <= end) {
    clock.offset += step;
    await (await b.request(`${stack.baseUrl}/me`)).arrayBuffer();
  }
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 401);
  assert.equal(await stack.app.storage.tokens.get(sid), null);
});

test('signing in as another account after a session ended leaves nothing of the first account', async () => {
  const b = await signedInWithVms('alice@example.com');
  const alice = sessionId(b);
  clock.offset = (stack.config.sessionIdleMinutes + 1) * 60_000; // Alice walks away; Bob sits down
  const bob = await stack.signIn('bob@example.com');
  void bob;
  await stack.control('settings', { autoApprove: { email: 'bob@example.com' } });
  assert.equal((await b.follow(`${stack.baseUrl}/login?returnTo=%2F`)).status, 200);
  const me = (await (await b.request(`${stack.baseUrl}/me`)).json()) as { email: string };
  assert.equal(me.email, 'bob@example.com');
  assert.notEqual(sessionId(b), alice);
  assert.equal(await stack.app.storage.tokens.get(alice), null, "Alice's tokens did not outlive her session");
});
