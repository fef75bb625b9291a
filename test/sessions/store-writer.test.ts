// Whoever can write to the session store cannot make one session act as another user: a copied identity field
// or a whole copied record does not verify against its session id (see src/sessions/identity-seal.ts), so the
// session ends at its next request and can do nothing as the user it names.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type session from 'express-session';
import { hiddenInput, sessionIdOf, startStack, type Stack, type TestBrowser } from '../support/index.js';

const stacks: Stack[] = [];
after(async () => {
  for (const s of stacks) await s.close();
});

const readSession = (stack: Stack, sid: string) =>
  new Promise<session.SessionData>((resolve, reject) =>
    stack.app.storage.sessions.get(sid, (err, s) => (err || !s ? reject(err ?? new Error('no session')) : resolve(s))),
  );
const writeSession = (stack: Stack, sid: string, data: session.SessionData) =>
  new Promise<void>((resolve, reject) =>
    stack.app.storage.sessions.set(sid, data, (err) => (err ? reject(err) : resolve())),
  );
const whoAmI = async (stack: Stack, b: TestBrowser) => {
  const res = await b.request(`${stack.baseUrl}/me`);
  return res.status === 200 ? ((await res.json()) as { email: string }).email : res.status;
};

test("a store writer copying Alice's identity into Bob's session: Bob's cookie is signed out, and cannot end Alice's sessions", async () => {
  const stack = await startStack();
  stacks.push(stack);
  const alice = await stack.signIn('alice@example.com');
  const aliceSession = await readSession(stack, sessionIdOf(alice));
  for (const copy of [
    (own: session.SessionData) => ({ ...own, user: aliceSession.user }), // the identity field alone
    (own: session.SessionData) => ({ ...aliceSession, csrfToken: (own as { csrfToken?: string }).csrfToken }), // the whole record, seal and all
  ]) {
    const bob = await stack.signIn('bob@example.com');
    const bobSid = sessionIdOf(bob);
    const csrf = hiddenInput((await stack.get(bob, '/account')).html, '_csrf')!;
    await writeSession(stack, bobSid, copy(await readSession(stack, bobSid)) as session.SessionData);
    assert.equal((await readSession(stack, bobSid)).user?.email, 'alice@example.com', 'the store now says Alice');
    // With Bob's own CSRF token, "sign out my other sessions" as the Alice the store now names:
    const out = await bob.postForm(`${stack.baseUrl}/account/sign-out-others`, { _csrf: csrf });
    await out.arrayBuffer();
    assert.notEqual(out.status, 303, 'refused');
    assert.equal(await whoAmI(stack, alice), 'alice@example.com', "Alice's session is untouched");
    assert.equal(await whoAmI(stack, bob), 401, "Bob's cookie never acts as Alice: it is signed out");
    assert.equal(stack.logs.events('session-ended').at(-1)?.reason, 'SESSION_TAMPERED');
  }
});
