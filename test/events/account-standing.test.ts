// What Google's account events leave behind holds on every request, whatever happened to the reaction: a
// session the reaction could not find (its index entry lost), a session store failing halfway, and events
// delivered out of order (decided by each token's iat, never by when it arrived).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sessionIdOf, startStack, type Stack, type TestBrowser } from '../support/index.js';

const ALICE = 'alice@example.com';
const ALICE_SUB = '100000000000000000001';
const stacks: Stack[] = [];
after(async () => {
  for (const s of stacks) await s.close();
});

/** A stack whose clock the test moves (`clock.offset` ms ahead of real time). */
async function stackWithClock(): Promise<{ stack: Stack; clock: { offset: number } }> {
  const clock = { offset: 0 };
  const stack = await startStack({ now: () => Date.now() + clock.offset });
  stacks.push(stack);
  await stack.control('risc/stream', { url: `${stack.baseUrl}/risc` });
  return { stack, clock };
}

async function send(stack: Stack, body: Record<string, unknown>) {
  return (await stack.control('risc/send', body)) as { status: number | null; body: string; jti: string };
}

const me = async (stack: Stack, b: TestBrowser) => (await b.request(`${stack.baseUrl}/me`)).status;

async function signedInWithVms(stack: Stack, email = ALICE): Promise<TestBrowser> {
  const b = await stack.signIn(email);
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod', email)).status, 200);
  return b;
}

/** A receiver that only keeps what Google sends (answering 202), to deliver it to Scopewise later, in any order. */
async function captureReceiver(): Promise<{ url: string; tokens: string[]; close(): Promise<void> }> {
  const tokens: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1').on('data', (c: string) => (body += c));
    req.on('end', () => {
      tokens.push(body);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/risc`,
    tokens,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const deliver = (stack: Stack, token: string) =>
  fetch(`${stack.baseUrl}/risc`, {
    method: 'POST',
    headers: { 'content-type': 'application/secevent+jwt' },
    body: token,
  });

test('sessions-revoked ends a session its reaction could not find (the session index lost it) at its next request', async () => {
  const { stack, clock } = await stackWithClock();
  const b = await signedInWithVms(stack);
  const sid = sessionIdOf(b);
  // The index entry is gone (evicted, or written by an instance that crashed): the reaction finds nothing to end.
  await stack.app.storage.accounts.subjects.remove(ALICE_SUB, sid);
  assert.equal((await send(stack, { email: ALICE, type: 'sessions-revoked' })).status, 202);
  assert.equal(await me(stack, b), 401, 'the session is over all the same');
  assert.equal(await stack.app.storage.tokens.get(sid), null, 'and its tokens with it');
  assert.equal(stack.logs.events('session-ended').at(-1)?.reason, 'SESSIONS_REVOKED');
  clock.offset = 1500; // iat names a whole second: a sign-in in the event's own second counts as before it
  const again = await stack.signIn();
  assert.equal(await me(stack, again), 200, 'a sign-in after the event is a new session, and works');
});

test('the sign-in block is checked on every request: account-disabled ends a session its reaction could not find', async () => {
  const { stack } = await stackWithClock();
  const b = await signedInWithVms(stack);
  await stack.app.storage.accounts.subjects.remove(ALICE_SUB, sessionIdOf(b));
  assert.equal((await send(stack, { email: ALICE, type: 'account-disabled', reason: 'hijacking' })).status, 202);
  assert.equal(await me(stack, b), 401);
  assert.equal(stack.logs.events('session-ended').at(-1)?.reason, 'ACCOUNT_DISABLED');
});

test('a session created while Google already disabled the account (a sign-in racing the event) ends at its next request', async () => {
  const { stack } = await stackWithClock();
  const b = await stack.signIn();
  // The block is recorded the way the reaction records it, but the reaction's own session sweep never ran.
  await stack.app.storage.accounts.blocks.block({
    sub: ALICE_SUB,
    blocked: true,
    reason: 'hijacking',
    source: 'risc',
    at: Date.now() + 60_000,
  });
  assert.equal(await me(stack, b), 401, 'blocked accounts have no live session, not only no new sign-in');
});

test('out of order: an older account-disabled delivered after a newer account-enabled ends only the sessions signed in before it', async () => {
  const { stack, clock } = await stackWithClock();
  clock.offset = -10_000; // the laptop signed in well before Google disabled the account
  const laptop = await signedInWithVms(stack);
  const capture = await captureReceiver();
  try {
    await stack.control('risc/stream', { url: capture.url });
    assert.equal((await send(stack, { email: ALICE, type: 'account-disabled', reason: 'hijacking' })).status, 202);
    await stack.control('clock', { advanceSeconds: 5 });
    assert.equal((await send(stack, { email: ALICE, type: 'account-enabled' })).status, 202);
  } finally {
    await capture.close();
  }
  const [disabled, enabled] = capture.tokens;
  assert.ok(disabled && enabled);
  clock.offset = 10_000; // the phone signs in after Google enabled the account again
  const phone = await signedInWithVms(stack);
  // Google delivers the enable first; the older disable arrives late (a redelivery).
  assert.equal((await deliver(stack, enabled!)).status, 202);
  assert.equal((await deliver(stack, disabled!)).status, 202);
  assert.equal(await me(stack, laptop), 401, 'the session from before the disable ends');
  assert.equal(await me(stack, phone), 200, 'the session opened after the enable stays');
  assert.equal(await stack.app.storage.accounts.blocks.isBlocked(ALICE_SUB), null, 'the account stays enabled');
  const later = await stack.signIn();
  assert.equal(await me(stack, later), 200, 'and may sign in');
});

test('a session store that fails while the sessions are ended: 503 so that Google delivers again; the redelivery finishes', async () => {
  const { stack } = await stackWithClock();
  const phone = await signedInWithVms(stack);
  const laptop = await signedInWithVms(stack);
  const store = stack.app.storage.sessions;
  const destroy = store.destroy.bind(store);
  let failures = 1;
  store.destroy = (sid: string, cb?: (err?: unknown) => void) => {
    if (failures-- > 0) {
      setImmediate(() => cb?.(new Error('store unavailable')));
      return;
    }
    destroy(sid, cb);
  };
  const first = await send(stack, { email: ALICE, type: 'sessions-revoked' });
  assert.equal(first.status, 503, 'not 202: Google must deliver again');
  assert.equal(stack.logs.events('risc-reaction-failed').length, 1);
  const again = await send(stack, { email: ALICE, type: 'sessions-revoked', bad: 'replayed-jti' });
  assert.equal(again.status, 202);
  for (const b of [phone, laptop]) {
    assert.equal(await stack.app.storage.tokens.get(sessionIdOf(b)), null, 'no token left behind');
    assert.equal(await me(stack, b), 401);
  }
});
