// The vault with the real token endpoint (openid-client) against the mock Google: a refresh that works, an
// issuer that is down (tokens kept), and a revoked grant (tokens dropped, the user stays signed in).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type session from 'express-session';
import { startStack, type Stack } from '../support/stack.js';
import type { TestBrowser } from '../support/browser.js';
import { NoAccessError, TokenServiceUnavailableError } from '../../src/tokens/vault.js';

const EMAIL = 'alice@example.com';
let stack: Stack;
let browser: TestBrowser;
let ref: string;
let sub: string;

before(async () => {
  stack = await startStack();
  browser = await stack.signIn(EMAIL);
  const res = await browser.follow(`${stack.baseUrl}/consent/vms?returnTo=/`);
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  const all = await new Promise<Record<string, session.SessionData>>((resolve, reject) =>
    stack.app.storage.sessions.all!((err, v) =>
      err ? reject(err) : resolve((v ?? {}) as Record<string, session.SessionData>),
    ),
  );
  const [sid, signedIn] = Object.entries(all).find(([, s]) => s.user)!;
  ref = sid; // a session's token record is keyed by its session id
  sub = signedIn.user!.sub;
});
after(async () => {
  await stack?.close();
});

const counts = async () => (await stack.control('counts')) as { refresh: number };

test('a rejected token is refreshed through the issuer once, and the new token is stored', async () => {
  const first = await stack.app.vault.accessToken(ref, sub);
  const c0 = await counts();
  const next = await stack.app.vault.refreshAfterRejection(ref, sub, first.version);
  assert.notEqual(next.accessToken, first.accessToken);
  assert.equal(next.version, first.version + 1);
  assert.equal((await counts()).refresh - c0.refresh, 1);
  assert.equal((await stack.app.vault.accessToken(ref, sub)).accessToken, next.accessToken);
});

test('a refresh right after the issuer rotated its signing key succeeds (one JWKS refetch, not a minute of failures)', async () => {
  const first = await stack.app.vault.accessToken(ref, sub);
  const jwksBefore = ((await stack.control('counts')) as { jwks: number }).jwks;
  await stack.control('rotate-key', {});
  const next = await stack.app.vault.refreshAfterRejection(ref, sub, first.version);
  assert.notEqual(next.accessToken, first.accessToken);
  assert.equal(((await stack.control('counts')) as { jwks: number }).jwks - jwksBefore, 1, 'exactly one JWKS refetch');
});

test('issuer down (503 on /token): TokenServiceUnavailableError, the refresh token is kept and works after', async () => {
  const t = await stack.app.vault.accessToken(ref, sub);
  await stack.control('inject', { endpoint: 'token', status: 503, times: 1 });
  await assert.rejects(stack.app.vault.refreshAfterRejection(ref, sub, t.version), TokenServiceUnavailableError);
  assert.equal(await stack.app.vault.hasRefreshToken(ref, sub), true);
  assert.equal((await stack.app.vault.record(ref))!.version, t.version, 'nothing written');
  const again = await stack.app.vault.refreshAfterRejection(ref, sub, t.version);
  assert.notEqual(again.accessToken, t.accessToken);
});

test('grant revoked at the issuer: invalid_grant drops the tokens, the user stays signed in with no scopes', async () => {
  const t = await stack.app.vault.accessToken(ref, sub);
  await stack.control('revoke-grant', { email: EMAIL });
  await assert.rejects(stack.app.vault.refreshAfterRejection(ref, sub, t.version), (err: unknown) => {
    assert.ok(err instanceof NoAccessError);
    assert.equal(err.reason, 'GRANT_LOST');
    return true;
  });
  const rec = (await stack.app.vault.record(ref))!;
  assert.equal(rec.sealed, undefined);
  assert.deepEqual(rec.scopes, []);
  assert.equal(rec.lost?.reason, 'invalid_grant');
  const me = await browser.request(`${stack.baseUrl}/me`);
  assert.equal(me.status, 200, 'still signed in');
  const body = (await me.json()) as { email: string; scopes: string[] };
  assert.equal(body.email, EMAIL);
  assert.deepEqual(body.scopes, []);
  assert.equal(stack.logs.events('grant-lost').length, 1);
});
