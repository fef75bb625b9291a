// The /__control/ endpoints and the hostile-IdP switch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  REDIRECT,
  S,
  api,
  authorizeUrl,
  mockControl,
  getTokens,
  pkce,
  useMock,
  tokenRequest,
} from '../support/mock.js';

const mock = useMock({ reset: true });

describe('controls', () => {
  it('inject: next N calls of an endpoint fail, then normal again; counts count them', async () => {
    await mockControl(mock, 'inject', { endpoint: 'token', status: 503, times: 2 });
    const { verifier, challenge } = pkce();
    await mockControl(mock, 'settings', { autoApprove: { email: 'alice@example.com' } });
    const res = await fetch(
      authorizeUrl(mock, { scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }),
      { redirect: 'manual' },
    );
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const fields = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    assert.equal((await tokenRequest(mock, fields)).status, 503);
    assert.equal((await tokenRequest(mock, fields)).status, 503);
    assert.equal((await tokenRequest(mock, fields)).status, 200);
    const counts = await mockControl(mock, 'counts');
    assert.equal(counts.token, 3);
    assert.equal(counts.authorize, 1);
    assert.equal(counts.refresh, 0);
  });

  it('inject on api with a body, and a delay', async () => {
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}` });
    await mockControl(mock, 'inject', {
      endpoint: 'api',
      status: 429,
      body: { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } },
      times: 1,
    });
    const r = await api(mock, 'compute.googleapis.com/compute/v1/projects/acme-prod/zones', tokens.access_token);
    assert.equal(r.status, 429);
    assert.equal(r.body.error.status, 'RESOURCE_EXHAUSTED');
    await mockControl(mock, 'inject', { endpoint: 'api', delayMs: 150, times: 1 });
    const t0 = Date.now();
    const slow = await api(mock, 'compute.googleapis.com/compute/v1/projects/acme-prod/zones', tokens.access_token);
    assert.equal(slow.status, 200);
    assert.ok(Date.now() - t0 >= 140);
    const counts = await mockControl(mock, 'counts');
    assert.equal(counts.api, 2);
  });

  it('autoApprove: authorize redirects straight back with a code, no pages', async () => {
    await mockControl(mock, 'settings', { autoApprove: { email: 'bob@example.com' } });
    const res = await fetch(authorizeUrl(mock, { scope: `openid email ${S.compute}`, access_type: 'offline' }), {
      redirect: 'manual',
    });
    assert.equal(res.status, 302);
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const t = await tokenRequest(mock, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    const body = (await t.json()) as { scope: string; id_token: string; refresh_token: string };
    assert.equal(body.scope, `${S.compute} ${S.email} openid`);
    assert.equal(decodeJwt(body.id_token).email, 'bob@example.com');
    assert.ok(body.refresh_token);
    await mockControl(mock, 'settings', { autoApprove: null });
    const page = await fetch(authorizeUrl(mock, { scope: 'openid' }), { redirect: 'manual' });
    assert.equal(page.status, 200);
  });

  it('revoke-grant: as if the user removed access in their Google account', async () => {
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}`, extra: { access_type: 'offline' } });
    assert.equal((await mockControl(mock, 'grants?email=alice@example.com')).refreshTokens, 1);
    await mockControl(mock, 'revoke-grant', { email: 'alice@example.com' });
    const refresh = await tokenRequest(mock, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    assert.equal(refresh.status, 400);
    assert.equal(
      (await api(mock, 'compute.googleapis.com/compute/v1/projects/acme-prod/zones', tokens.access_token)).status,
      401,
    );
    const g = await mockControl(mock, 'grants?email=alice@example.com');
    assert.equal(g.revoked, true);
    assert.deepEqual(g.scopes, []);
    const counts = await mockControl(mock, 'counts');
    assert.equal(counts.refresh, 1);
  });

  it('rotate-key: new kid signs, old kid still published', async () => {
    const jwks1 = (await (await fetch(`${mock.url}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    const { kid } = await mockControl(mock, 'rotate-key', {});
    const jwks2 = (await (await fetch(`${mock.url}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    assert.equal(jwks2.keys.length, 2);
    assert.ok(jwks2.keys.some((k) => k.kid === jwks1.keys[0]?.kid));
    const { tokens } = await getTokens(mock, { scope: 'openid' });
    assert.equal(decodeProtectedHeader(tokens.id_token ?? '').kid, kid);
    await mockControl(mock, 'reset', {});
    const jwks3 = (await (await fetch(`${mock.url}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(jwks3, jwks1, 'reset goes back to the first key');
  });

  it('rejects bad control input', async () => {
    const res = await fetch(`${mock.url}/__control/inject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'nope', status: 500, times: 1 }),
    });
    assert.equal(res.status, 400);
    const h = await fetch(`${mock.url}/__control/hostile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'id-token-bogus' }),
    });
    assert.equal(h.status, 400);
  });
});

describe('hostile IdP modes', () => {
  const idToken = async () =>
    (await getTokens(mock, { scope: 'openid email', nonce: 'the-nonce' })).tokens.id_token ?? '';

  it('id-token claim tampering', async () => {
    await mockControl(mock, 'hostile', { mode: 'id-token-wrong-iss' });
    assert.notEqual(decodeJwt(await idToken()).iss, mock.issuer);
    await mockControl(mock, 'hostile', { mode: 'id-token-wrong-aud' });
    assert.notEqual(decodeJwt(await idToken()).aud, 'test-client.apps.googleusercontent.com');
    await mockControl(mock, 'hostile', { mode: 'id-token-expired' });
    assert.ok((decodeJwt(await idToken()).exp ?? 0) < Date.now() / 1000);
    await mockControl(mock, 'hostile', { mode: 'id-token-no-nonce' });
    assert.equal(decodeJwt(await idToken())['nonce'], undefined);
    await mockControl(mock, 'hostile', { mode: 'id-token-wrong-nonce' });
    assert.notEqual(decodeJwt(await idToken())['nonce'], 'the-nonce');
    await mockControl(mock, 'hostile', { mode: 'id-token-extra-aud' });
    assert.equal((decodeJwt(await idToken()).aud as string[]).length, 2);
    await mockControl(mock, 'hostile', { mode: 'id-token-no-sub' });
    assert.equal(decodeJwt(await idToken()).sub, undefined);
    await mockControl(mock, 'hostile', { mode: 'id-token-no-iat' });
    assert.equal(decodeJwt(await idToken()).iat, undefined);
    await mockControl(mock, 'hostile', { mode: null });
    assert.equal(decodeJwt(await idToken())['nonce'], 'the-nonce');
  });

  it('id-token signing attacks', async () => {
    await mockControl(mock, 'hostile', { mode: 'id-token-alg-none' });
    const none = await idToken();
    assert.equal(decodeProtectedHeader(none).alg, 'none');
    assert.ok(none.endsWith('.'));
    await mockControl(mock, 'hostile', { mode: 'id-token-hs256' });
    assert.equal(decodeProtectedHeader(await idToken()).alg, 'HS256');
    const jwks = (await (await fetch(`${mock.url}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    await mockControl(mock, 'hostile', { mode: 'id-token-unknown-kid' });
    const kid = decodeProtectedHeader(await idToken()).kid;
    assert.ok(kid && !jwks.keys.some((k) => k.kid === kid));
    await mockControl(mock, 'hostile', { mode: 'id-token-bad-signature' });
    const bad = await idToken();
    assert.equal(decodeProtectedHeader(bad).alg, 'RS256');
    const info = await fetch(`${mock.url}/tokeninfo?id_token=${bad}`);
    assert.equal(info.status, 400, 'the signature really is broken');
  });

  it('wrong iss on the redirect, wrong discovery issuer, other sub at userinfo', async () => {
    await mockControl(mock, 'hostile', { mode: 'auth-response-wrong-iss' });
    const r = await getTokens(mock, { scope: 'openid' });
    assert.notEqual(r.signIn.callback.searchParams.get('iss'), mock.issuer);
    await mockControl(mock, 'hostile', { mode: 'discovery-wrong-issuer' });
    const d = (await (await fetch(`${mock.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.notEqual(d.issuer, mock.issuer);
    await mockControl(mock, 'hostile', { mode: 'userinfo-other-sub' });
    const ui = (await (
      await fetch(`${mock.url}/v1/userinfo`, { headers: { authorization: `Bearer ${r.tokens.access_token}` } })
    ).json()) as { sub: string };
    assert.notEqual(ui.sub, '100000000000000000001');
  });

  it('token endpoint: not JSON, huge, hang', async () => {
    await mockControl(mock, 'settings', { autoApprove: { email: 'alice@example.com' } });
    const code = async () =>
      new URL(
        (await fetch(authorizeUrl(mock, { scope: 'openid' }), { redirect: 'manual' })).headers.get('location') ?? '',
      ).searchParams.get('code') ?? '';
    await mockControl(mock, 'hostile', { mode: 'token-not-json' });
    const nj = await tokenRequest(mock, {
      grant_type: 'authorization_code',
      code: await code(),
      redirect_uri: REDIRECT,
    });
    assert.match(nj.headers.get('content-type') ?? '', /text\/html/);
    await mockControl(mock, 'hostile', { mode: 'token-huge' });
    const huge = await tokenRequest(mock, {
      grant_type: 'authorization_code',
      code: await code(),
      redirect_uri: REDIRECT,
    });
    assert.ok((await huge.text()).length > 16 * 1024 * 1024);
    await mockControl(mock, 'hostile', { mode: 'token-hang' });
    const c = await code();
    const hung = fetch(`${mock.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: c,
        redirect_uri: REDIRECT,
        client_id: 'test-client.apps.googleusercontent.com',
        client_secret: 'test-secret',
      }).toString(),
      signal: AbortSignal.timeout(300),
    });
    await assert.rejects(hung, (e: Error) => e.name === 'TimeoutError');
  });
});
