// Time-based access at the mock: the consent screen's "how long" choice and the settings control, the
// refresh_token_expires_in in token responses, and invalid_grant once the mock's clock passes the end.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  REDIRECT,
  S,
  api,
  authorizeUrl,
  mockControl,
  getTokens,
  hiddenFields,
  pkce,
  postForm,
  useMock,
  tokenRequest,
} from '../support/mock.js';

const mock = useMock({ reset: true });

const OFFLINE = { access_type: 'offline', prompt: 'consent' };

/** The remaining seconds, allowing for the second that may tick between two requests. */
function about(actual: unknown, expected: number): void {
  assert.ok(
    typeof actual === 'number' && actual <= expected && actual >= expected - 1,
    `${String(actual)} ≈ ${expected}`,
  );
}

async function consentWith(
  lifetime: string,
): Promise<{ status: number; location: string | null; tokens?: Record<string, unknown> }> {
  const { verifier, challenge } = pkce();
  const page = await fetch(
    authorizeUrl(mock, {
      scope: `openid ${S.computeRead}`,
      login_hint: 'alice@example.com',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...OFFLINE,
    }),
    { redirect: 'manual' },
  );
  const html = await page.text();
  assert.match(html, /<select id="grant-lifetime" name="grant_lifetime">/);
  const fields = hiddenFields(html);
  const res = await postForm(`${mock.url}/o/oauth2/v2/auth/consent`, [
    ['pending', fields.pending],
    ['csrf', fields.csrf],
    ['scope', S.computeRead],
    ['grant_lifetime', lifetime],
    ['action', 'allow'],
  ]);
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) return { status: res.status, location };
  const code = new URL(location).searchParams.get('code') ?? '';
  const t = await tokenRequest(mock, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
  });
  return { status: res.status, location, tokens: (await t.json()) as Record<string, unknown> };
}

describe('time-based access', () => {
  it('the consent screen offers durations; "until you remove access" is preselected and gives no end', async () => {
    const page = await fetch(
      authorizeUrl(mock, { scope: `openid ${S.computeRead}`, login_hint: 'alice@example.com' }),
      { redirect: 'manual' },
    );
    const html = await page.text();
    for (const label of ['Until you remove access', 'For 1 hour', 'For 1 day', 'For 1 week'])
      assert.ok(html.includes(label), label);
    assert.match(html, /<option value="" selected>Until you remove access/);
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}`, extra: OFFLINE });
    assert.equal('refresh_token_expires_in' in tokens, false);
  });

  it('choosing 1 day: refresh_token_expires_in on the code exchange and on refreshes, counting down', async () => {
    const r = await consentWith('86400');
    about(r.tokens?.['refresh_token_expires_in'], 86_400);
    await mockControl(mock, 'clock', { advanceSeconds: 3600 });
    const refreshed = await tokenRequest(mock, {
      grant_type: 'refresh_token',
      refresh_token: String(r.tokens?.['refresh_token']),
    });
    assert.equal(refreshed.status, 200);
    about(((await refreshed.json()) as Record<string, unknown>)['refresh_token_expires_in'], 82_800);
  });

  it('after the end: refresh → invalid_grant, the access token stops working, the next sign-in asks again', async () => {
    const r = await consentWith('3600');
    const refreshToken = String(r.tokens?.['refresh_token']);
    await mockControl(mock, 'clock', { advanceSeconds: 3601 });
    const refused = await tokenRequest(mock, { grant_type: 'refresh_token', refresh_token: refreshToken });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as Record<string, unknown>)['error'], 'invalid_grant');
    const call = await api(
      mock,
      'compute.googleapis.com/compute/v1/projects/acme-prod/zones',
      String(r.tokens?.['access_token']),
    );
    assert.equal(call.status, 401);
    const again = await fetch(
      authorizeUrl(mock, { scope: `openid ${S.computeRead}`, login_hint: 'alice@example.com' }),
      { redirect: 'manual' },
    );
    assert.equal(again.status, 200, 'the consent screen is shown again');
    const html = await again.text();
    // One non-sign-in scope: listed without a checkbox (as Google does), with Allow and Cancel.
    assert.match(html, /Compute Engine/);
    assert.match(html, /value="allow"/);
  });

  it('an access token never outlives the grant', async () => {
    await mockControl(mock, 'settings', { grantLifetimeSeconds: 600 });
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}`, extra: OFFLINE });
    about(tokens.expires_in, 600);
    about((tokens as unknown as Record<string, unknown>)['refresh_token_expires_in'], 600);
  });

  it('the settings control preselects a custom duration and applies it to auto-approved sign-ins', async () => {
    await mockControl(mock, 'settings', { grantLifetimeSeconds: 120 });
    const page = await fetch(
      authorizeUrl(mock, { scope: `openid ${S.computeRead}`, login_hint: 'alice@example.com' }),
      { redirect: 'manual' },
    );
    assert.match(await page.text(), /<option value="120" selected>For 2 minutes/);
    await mockControl(mock, 'settings', { autoApprove: { email: 'bob@example.com' } });
    const { tokens } = await getTokens(mock, {
      email: 'bob@example.com',
      scope: `openid ${S.computeRead}`,
      extra: OFFLINE,
    });
    about((tokens as unknown as Record<string, unknown>)['refresh_token_expires_in'], 120);
    await mockControl(mock, 'settings', { grantLifetimeSeconds: null });
    assert.equal((await mockControl(mock, 'settings')).grantLifetimeSeconds, null);
  });

  it('a duration the screen did not offer is refused', async () => {
    const r = await consentWith('31536000');
    assert.equal(r.status, 400);
  });

  it('the clock control only moves forward, and reset brings it back', async () => {
    const before = Date.parse((await mockControl(mock, 'clock')).now);
    const moved = await mockControl(mock, 'clock', { advanceSeconds: 7200 });
    assert.equal(moved.offsetSeconds, 7200);
    assert.ok(Date.parse(moved.now) >= before + 7_200_000);
    const res = await fetch(`${mock.url}/__control/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: -5 }),
    });
    assert.equal(res.status, 400);
    await mockControl(mock, 'reset', {});
    assert.equal((await mockControl(mock, 'clock')).offsetSeconds, 0);
  });
});
