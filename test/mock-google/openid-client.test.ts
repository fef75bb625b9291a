// The mock against the client library the app uses (openid-client): the honest path works end to end,
// and a sample of hostile modes is refused by it — proof that the mock's shapes are the ones real clients check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { CLIENT, REDIRECT, S, mockControl, authorizeAtMock, useMock } from '../support/mock.js';

const mock = useMock({ reset: true });

async function configure(auth: 'basic' | 'post' = 'basic'): Promise<client.Configuration> {
  return client.discovery(
    new URL(mock.issuer),
    CLIENT.clientId,
    undefined,
    auth === 'basic' ? client.ClientSecretBasic(CLIENT.clientSecret) : client.ClientSecretPost(CLIENT.clientSecret),
    {
      execute: [client.allowInsecureRequests],
    },
  );
}

async function login(config: client.Configuration, extra: Record<string, string> = {}) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: `openid email profile ${S.computeRead}`,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    access_type: 'offline',
    ...extra,
  });
  const params = Object.fromEntries(url.searchParams);
  const r = await authorizeAtMock(mock, { params });
  return client.authorizationCodeGrant(config, r.callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
}

describe('openid-client against the mock', () => {
  it('code flow, userinfo, refresh, revocation', async () => {
    for (const auth of ['basic', 'post'] as const) {
      await mockControl(mock, 'reset', {});
      const config = await configure(auth);
      const tokens = await login(config);
      const claims = tokens.claims();
      assert.equal(claims?.sub, '100000000000000000001');
      assert.equal(claims?.['hd'], 'example.com');
      assert.ok(tokens.refresh_token);
      const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub ?? '');
      assert.equal(info.email, 'alice@example.com');
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
      assert.ok(refreshed.access_token);
      assert.equal(refreshed.scope, `${S.computeRead} ${S.email} ${S.profile} openid`);
      await client.tokenRevocation(config, tokens.refresh_token ?? '');
      await assert.rejects(
        client.refreshTokenGrant(config, tokens.refresh_token ?? ''),
        (e: Error & { error?: string }) => e.error === 'invalid_grant',
      );
    }
  });

  const refused: string[] = [
    'id-token-wrong-iss',
    'id-token-wrong-aud',
    'id-token-expired',
    'id-token-wrong-nonce',
    'id-token-no-nonce',
    'id-token-alg-none',
    'id-token-hs256',
    'id-token-no-iat',
    'id-token-no-sub',
    'auth-response-wrong-iss',
    'token-not-json',
  ];
  for (const mode of refused) {
    it(`openid-client refuses hostile mode ${mode}`, async () => {
      const config = await configure();
      await mockControl(mock, 'hostile', { mode });
      await assert.rejects(login(config));
    });
  }

  // openid-client does not verify the ID token's signature on the code flow (OIDC Core 3.1.3.7 lets a client rely on
  // TLS to the token endpoint) unless enableNonRepudiationChecks() is on. The app must turn it on to stop these.
  for (const mode of ['id-token-bad-signature', 'id-token-unknown-kid']) {
    it(`${mode}: accepted by default, refused with enableNonRepudiationChecks`, async () => {
      await mockControl(mock, 'hostile', { mode });
      await login(await configure());
      const strict = await configure();
      client.enableNonRepudiationChecks(strict);
      await assert.rejects(login(strict));
    });
  }

  it('id-token-extra-aud is valid OIDC when azp is the client (accepted)', async () => {
    await mockControl(mock, 'hostile', { mode: 'id-token-extra-aud' });
    const tokens = await login(await configure());
    assert.equal(tokens.claims()?.['azp'], CLIENT.clientId);
  });

  it('userinfo-other-sub: fetchUserInfo refuses a sub that is not the ID token’s', async () => {
    const config = await configure();
    const tokens = await login(config);
    await mockControl(mock, 'hostile', { mode: 'userinfo-other-sub' });
    await assert.rejects(client.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub ?? ''));
  });

  it('openid-client refuses a discovery document with the wrong issuer', async () => {
    await mockControl(mock, 'hostile', { mode: 'discovery-wrong-issuer' });
    await assert.rejects(configure());
  });
});
