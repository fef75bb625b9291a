// The OAuth 2.0 / OIDC side of the mock: discovery, JWKS, authorization, consent, tokens, revocation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  CLIENT,
  OTHER_CLIENT,
  REDIRECT,
  S,
  authorizeUrl,
  mockControl,
  getTokens,
  pkce,
  postForm,
  authorizeAtMock,
  tokenRequest,
  hiddenFields,
  type TokenResponse,
} from '../support/mock.js';
import { useMock } from '../support/mock.js';

const mock = useMock({ reset: true });

const IDENTITY = 'openid email profile';

/** Sign in at the mock with these authorization parameters; the code it sends back to the client. */
async function codeFor(params: Record<string, string>): Promise<string> {
  const r = await authorizeAtMock(mock, { params });
  return r.callback.searchParams.get('code') ?? '';
}

/** Exchange a code at the token endpoint, for REDIRECT unless `fields` says otherwise. */
function exchangeCode(
  code: string,
  fields: Record<string, string> = {},
  auth?: 'basic' | 'post',
  client?: typeof CLIENT,
): Promise<Response> {
  return tokenRequest(
    mock,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...fields },
    auth,
    client,
  );
}

describe('discovery and JWKS', () => {
  it('publishes a Google-like discovery document', async () => {
    const res = await fetch(`${mock.url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const d = (await res.json()) as Record<string, unknown>;
    assert.equal(d['issuer'], mock.issuer);
    assert.match(mock.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(d['authorization_endpoint'], `${mock.issuer}/o/oauth2/v2/auth`);
    assert.equal(d['token_endpoint'], `${mock.issuer}/token`);
    assert.equal(d['userinfo_endpoint'], `${mock.issuer}/v1/userinfo`);
    assert.equal(d['revocation_endpoint'], `${mock.issuer}/revoke`);
    assert.equal(d['jwks_uri'], `${mock.issuer}/oauth2/v3/certs`);
    assert.deepEqual(d['response_types_supported'], ['code']);
    assert.deepEqual(d['id_token_signing_alg_values_supported'], ['RS256']);
    assert.deepEqual(d['token_endpoint_auth_methods_supported'], ['client_secret_post', 'client_secret_basic']);
    assert.deepEqual(d['code_challenge_methods_supported'], ['plain', 'S256']);
    assert.equal(d['authorization_response_iss_parameter_supported'], undefined, 'Google does not advertise it');
  });

  it('publishes RS256 keys with kids', async () => {
    const jwks = (await (await fetch(`${mock.url}/oauth2/v3/certs`)).json()) as { keys: Record<string, string>[] };
    assert.equal(jwks.keys.length, 1);
    const [k] = jwks.keys;
    assert.equal(k?.['kty'], 'RSA');
    assert.equal(k?.['alg'], 'RS256');
    assert.equal(k?.['use'], 'sig');
    assert.ok(k?.['kid'] && k['n'] && k['e']);
    assert.equal(k?.['d'], undefined, 'no private parts');
  });
});

describe('authorization code flow', () => {
  it('chooser → consent → code → tokens; the ID token verifies with the JWKS', async () => {
    const { verifier, challenge } = pkce();
    const r = await authorizeAtMock(mock, {
      useChooser: true,
      params: {
        scope: `${IDENTITY} ${S.computeRead}`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        nonce: 'nonce-abc',
      },
    });
    assert.ok(r.consentShown);
    assert.deepEqual(r.consentScopes, [S.computeRead], 'only non-identity scopes get a checkbox');
    assert.ok(r.cookie?.startsWith('mock_google_account='));
    const cb = r.callback;
    assert.equal(`${cb.origin}${cb.pathname}`, REDIRECT);
    assert.equal(cb.searchParams.get('state'), 'st-123');
    assert.equal(cb.searchParams.get('iss'), mock.issuer, 'iss is sent on the authorization response');
    const code = cb.searchParams.get('code');
    assert.ok(code);

    const res = await exchangeCode(code, { code_verifier: verifier });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const t = (await res.json()) as TokenResponse;
    assert.match(t.access_token, /^ya29\.mock\./);
    assert.equal(t.token_type, 'Bearer');
    assert.equal(t.expires_in, 3600);
    assert.equal(t.scope, `${S.computeRead} ${S.email} ${S.profile} openid`);
    assert.equal(t.refresh_token, undefined, 'online access: no refresh token');
    assert.ok(t.id_token);

    const jwks = createRemoteJWKSet(new URL(`${mock.url}/oauth2/v3/certs`));
    const { payload, protectedHeader } = await jwtVerify(t.id_token, jwks, {
      issuer: mock.issuer,
      audience: CLIENT.clientId,
      algorithms: ['RS256'],
    });
    assert.ok(protectedHeader.kid);
    assert.equal(payload.sub, '100000000000000000001');
    assert.equal(payload['azp'], CLIENT.clientId);
    assert.equal(payload['email'], 'alice@example.com');
    assert.equal(payload['email_verified'], true);
    assert.equal(payload['name'], 'Alice Admin');
    assert.equal(payload['hd'], 'example.com');
    assert.equal(payload['nonce'], 'nonce-abc');
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);

    const ui = await fetch(`${mock.url}/v1/userinfo`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(ui.status, 200);
    assert.deepEqual(await ui.json(), {
      sub: '100000000000000000001',
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Admin',
      given_name: 'Alice',
      family_name: 'Admin',
      hd: 'example.com',
    });
  });

  it('the remembered account skips the chooser; prompt=select_account shows it again', async () => {
    const first = await authorizeAtMock(mock, { useChooser: true, params: { scope: IDENTITY } });
    assert.ok(first.cookie);
    const again = await fetch(authorizeUrl(mock, { scope: IDENTITY }), {
      redirect: 'manual',
      headers: { cookie: first.cookie },
    });
    assert.equal(again.status, 302, 'known account, nothing new to consent: straight back');
    assert.ok(new URL(again.headers.get('location') ?? '').searchParams.get('code'));
    const chooser = await fetch(authorizeUrl(mock, { scope: IDENTITY, prompt: 'select_account' }), {
      redirect: 'manual',
      headers: { cookie: first.cookie },
    });
    assert.equal(chooser.status, 200);
    assert.match(await chooser.text(), /Choose an account/);
  });

  it('consumer accounts get no hd claim', async () => {
    const { tokens } = await getTokens(mock, { email: 'carol@gmail.com', scope: IDENTITY });
    const payload = JSON.parse(Buffer.from(tokens.id_token?.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    assert.equal(payload['email'], 'carol@gmail.com');
    assert.equal(payload['hd'], undefined);
  });

  it('granular consent: an unticked scope is not granted', async () => {
    const { tokens, signIn: r } = await getTokens(mock, {
      scope: `${IDENTITY} ${S.computeRead} ${S.storageRead}`,
      untick: [S.storageRead],
    });
    assert.deepEqual(r.consentScopes, [S.computeRead, S.storageRead]);
    assert.ok(tokens.scope.split(' ').includes(S.computeRead));
    assert.ok(!tokens.scope.split(' ').includes(S.storageRead));
    const grants = await mockControl(mock, 'grants?email=alice@example.com');
    assert.deepEqual(grants.scopes, [S.computeRead, S.email, S.profile, 'openid']);
  });

  it('consent lists only scopes not yet granted; include_granted_scopes merges, without it only this consent', async () => {
    await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}` });
    const merged = await getTokens(mock, {
      scope: `openid ${S.storageRead}`,
      extra: { include_granted_scopes: 'true' },
    });
    assert.deepEqual(merged.signIn.consentScopes, [S.storageRead], 'only the new scope is asked for');
    assert.equal(merged.tokens.scope, `${S.computeRead} ${S.storageRead} ${S.email} ${S.profile} openid`);

    const alone = await getTokens(mock, { scope: `openid ${S.loggingRead}` });
    assert.equal(alone.tokens.scope, `${S.loggingRead} openid`);
  });

  it('skips the consent screen when nothing new is asked, unless prompt=consent', async () => {
    await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}` });
    const again = await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}` });
    assert.equal(again.signIn.consentShown, false);
    assert.equal(again.signIn.callback.searchParams.get('prompt'), 'none');
    const forced = await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}`, extra: { prompt: 'consent' } });
    assert.equal(forced.signIn.consentShown, true);
    assert.deepEqual(forced.signIn.consentScopes, [S.computeRead]);
  });

  it('refresh token only on the first offline consent or with prompt=consent', async () => {
    const first = await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}`, extra: { access_type: 'offline' } });
    assert.match(first.tokens.refresh_token ?? '', /^1\/\/mock\./);
    const second = await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}`, extra: { access_type: 'offline' } });
    assert.equal(second.tokens.refresh_token, undefined);
    const third = await getTokens(mock, {
      scope: `${IDENTITY} ${S.computeRead}`,
      extra: { access_type: 'offline', prompt: 'consent' },
    });
    assert.ok(third.tokens.refresh_token);

    const refreshed = await tokenRequest(mock, {
      grant_type: 'refresh_token',
      refresh_token: first.tokens.refresh_token ?? '',
    });
    assert.equal(refreshed.status, 200);
    const body = (await refreshed.json()) as TokenResponse;
    assert.match(body.access_token, /^ya29\.mock\./);
    assert.equal(body.refresh_token, undefined);
    assert.equal(body.scope, `${S.computeRead} ${S.email} ${S.profile} openid`);
    assert.ok(body.id_token, 'Google also returns a fresh id_token on refresh');
    const counts = await mockControl(mock, 'counts');
    assert.equal(counts.refresh, 1);
  });

  it('a replayed code is invalid_grant and revokes what the code produced', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor({
      scope: `${IDENTITY} ${S.computeRead}`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      access_type: 'offline',
    });
    const ok = (await (await exchangeCode(code, { code_verifier: verifier })).json()) as TokenResponse;
    const replay = await exchangeCode(code, { code_verifier: verifier });
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_grant');
    const ui = await fetch(`${mock.url}/v1/userinfo`, { headers: { authorization: `Bearer ${ok.access_token}` } });
    assert.equal(ui.status, 401);
    const refresh = await tokenRequest(mock, { grant_type: 'refresh_token', refresh_token: ok.refresh_token ?? '' });
    assert.equal(refresh.status, 400);
  });

  it('a wrong PKCE verifier is invalid_grant', async () => {
    const { challenge } = pkce();
    const code = await codeFor({ scope: IDENTITY, code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await exchangeCode(code, { code_verifier: pkce().verifier });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
  });

  it('a missing PKCE verifier is invalid_grant; plain PKCE works', async () => {
    const { challenge } = pkce();
    const code = await codeFor({ scope: IDENTITY, code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await exchangeCode(code);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
    const plain = 'p'.repeat(50);
    const code2 = await codeFor({ scope: IDENTITY, code_challenge: plain, code_challenge_method: 'plain' });
    const res2 = await exchangeCode(code2, { code_verifier: plain });
    assert.equal(res2.status, 200);
  });

  it('redirect_uri: an unregistered one gets an error page at the mock, a different one at the token endpoint is refused', async () => {
    const page = await fetch(authorizeUrl(mock, { scope: IDENTITY, redirect_uri: 'https://evil.example/cb' }), {
      redirect: 'manual',
    });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /redirect_uri_mismatch/);
    const unknownClient = await fetch(authorizeUrl(mock, { scope: IDENTITY, client_id: 'nope' }), {
      redirect: 'manual',
    });
    assert.equal(unknownClient.status, 401);
    assert.match(await unknownClient.text(), /invalid_client/);

    const res = await exchangeCode(await codeFor({ scope: IDENTITY }), { redirect_uri: 'http://localhost:3000/other' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'redirect_uri_mismatch');
  });

  it('client_secret_basic and client_secret_post both work; a wrong secret is 401 invalid_client', async () => {
    for (const auth of ['basic', 'post'] as const) {
      const res = await exchangeCode(await codeFor({ scope: IDENTITY }), {}, auth);
      assert.equal(res.status, 200, auth);
    }
    const code = await codeFor({ scope: IDENTITY });
    const bad = await exchangeCode(code, {}, 'basic', { ...CLIENT, clientSecret: 'wrong' });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_client');
    const otherClient = await exchangeCode(code, {}, 'post', { ...OTHER_CLIENT, name: 'x' });
    assert.equal(otherClient.status, 400, 'a code is bound to its client');
  });

  it('Cancel → access_denied with state and iss', async () => {
    const r = await authorizeAtMock(mock, { cancel: true, params: { scope: `${IDENTITY} ${S.compute}` } });
    assert.equal(r.callback.searchParams.get('error'), 'access_denied');
    assert.equal(r.callback.searchParams.get('state'), 'st-123');
    assert.equal(r.callback.searchParams.get('iss'), mock.issuer);
    assert.equal(r.callback.searchParams.get('code'), null);
  });

  it('errors that go back to the client: invalid_scope, login_required, consent_required', async () => {
    const bad = await fetch(authorizeUrl(mock, { scope: 'openid https://www.googleapis.com/auth/drive' }), {
      redirect: 'manual',
    });
    assert.equal(bad.status, 302);
    assert.equal(new URL(bad.headers.get('location') ?? '').searchParams.get('error'), 'invalid_scope');

    const none = await fetch(authorizeUrl(mock, { scope: IDENTITY, prompt: 'none' }), { redirect: 'manual' });
    assert.equal(new URL(none.headers.get('location') ?? '').searchParams.get('error'), 'login_required');

    const needsConsent = await fetch(
      authorizeUrl(mock, { scope: IDENTITY, prompt: 'none', login_hint: 'bob@example.com' }),
      { redirect: 'manual' },
    );
    assert.equal(new URL(needsConsent.headers.get('location') ?? '').searchParams.get('error'), 'consent_required');

    await getTokens(mock, { email: 'bob@example.com', scope: IDENTITY });
    const silent = await fetch(authorizeUrl(mock, { scope: IDENTITY, prompt: 'none', login_hint: 'bob@example.com' }), {
      redirect: 'manual',
    });
    assert.ok(
      new URL(silent.headers.get('location') ?? '').searchParams.get('code'),
      'already granted: silent success',
    );
  });

  it('the consent form refuses a wrong per-page nonce', async () => {
    const page = await fetch(authorizeUrl(mock, { scope: IDENTITY, login_hint: 'alice@example.com' }), {
      redirect: 'manual',
    });
    const { pending } = hiddenFields(await page.text());
    const res = await postForm(`${mock.url}/o/oauth2/v2/auth/consent`, [
      ['pending', pending],
      ['csrf', 'forged'],
      ['action', 'allow'],
    ]);
    assert.equal(res.status, 400);
  });

  it('the consent page escapes and labels: Allow and Cancel buttons, checkbox labelled by the description', async () => {
    const page = await fetch(
      authorizeUrl(mock, {
        scope: `${IDENTITY} ${S.compute} ${S.computeRead}`,
        login_hint: 'alice@example.com',
        state: '<script>',
      }),
      { redirect: 'manual' },
    );
    const html = await page.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<title>Consent – Mock Google<\/title>/);
    assert.match(html, />Allow<\/button>/);
    assert.match(html, />Cancel<\/button>/);
    assert.match(
      html,
      /<label for="scope-0"><input type="checkbox" id="scope-0" name="scope" value="https:\/\/www.googleapis.com\/auth\/compute" checked><span>View and manage your Google Compute Engine resources/,
    );
    assert.doesNotMatch(html, /<script/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });

  it('revoke kills the whole grant: refresh fails, access token fails, scopes cleared', async () => {
    const { tokens } = await getTokens(mock, {
      scope: `${IDENTITY} ${S.computeRead}`,
      extra: { access_type: 'offline' },
    });
    const res = await fetch(`${mock.url}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(tokens.access_token)}`,
    });
    assert.equal(res.status, 200);
    const refresh = await tokenRequest(mock, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    assert.equal(refresh.status, 400);
    assert.deepEqual(await refresh.json(), {
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    const info = await fetch(`${mock.url}/tokeninfo?access_token=${tokens.access_token}`);
    assert.equal(info.status, 400);
    assert.equal(((await info.json()) as { error: string }).error, 'invalid_token');
    const grants = await mockControl(mock, 'grants?email=alice@example.com');
    assert.deepEqual(grants, { scopes: [], revoked: true, refreshTokens: 0, clients: [CLIENT.clientId] });
    const again = await fetch(`${mock.url}/revoke?token=${encodeURIComponent(tokens.refresh_token ?? '')}`, {
      method: 'POST',
    });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_token');
    const fresh = await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}`, extra: { access_type: 'offline' } });
    assert.ok(fresh.signIn.consentShown, 'consent asked again after revocation');
    assert.ok(fresh.tokens.refresh_token, 'new refresh token after revocation');
  });

  it('tokeninfo answers like Google (strings)', async () => {
    const { tokens } = await getTokens(mock, { scope: `${IDENTITY} ${S.computeRead}` });
    const info = (await (await fetch(`${mock.url}/tokeninfo?access_token=${tokens.access_token}`)).json()) as Record<
      string,
      string
    >;
    assert.equal(info['aud'], CLIENT.clientId);
    assert.equal(info['azp'], CLIENT.clientId);
    assert.equal(info['sub'], '100000000000000000001');
    assert.equal(info['scope'], tokens.scope);
    assert.equal(info['email'], 'alice@example.com');
    assert.equal(info['email_verified'], 'true');
    assert.match(info['expires_in'] ?? '', /^\d+$/);
    assert.match(info['exp'] ?? '', /^\d+$/);
  });

  it('refresh tokens belong to their client', async () => {
    const { tokens } = await getTokens(mock, { scope: IDENTITY, extra: { access_type: 'offline' } });
    const res = await tokenRequest(
      mock,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' },
      'post',
      { ...OTHER_CLIENT, name: 'x' },
    );
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });

  it('ID tokens carry the current kid after rotation and old keys stay published', async () => {
    const before = await getTokens(mock, { scope: IDENTITY });
    const oldKid = decodeProtectedHeader(before.tokens.id_token ?? '').kid;
    const { kid } = await mockControl(mock, 'rotate-key', {});
    const after = await getTokens(mock, { scope: IDENTITY, extra: { prompt: 'consent' } });
    assert.equal(decodeProtectedHeader(after.tokens.id_token ?? '').kid, kid);
    assert.notEqual(kid, oldKid);
    const jwks = (await (await fetch(`${mock.url}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(new Set(jwks.keys.map((k) => k.kid)), new Set([kid, oldKid]));
    const set = createRemoteJWKSet(new URL(`${mock.url}/oauth2/v3/certs`));
    await jwtVerify(before.tokens.id_token ?? '', set, { issuer: mock.issuer });
    await jwtVerify(after.tokens.id_token ?? '', set, { issuer: mock.issuer });
  });
});
