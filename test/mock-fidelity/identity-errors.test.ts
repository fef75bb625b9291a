// prompt=none errors and an unverified e-mail: Scopewise answers with a clear 4xx page, never a 5xx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { TestBrowser } from '../support/browser.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { ALLOWED_EMAILS: 'erin@unverified.example,carol@gmail.com' } });
});
after(() => stack.close());

for (const error of ['interaction_required', 'consent_required', 'login_required', 'account_selection_required']) {
  test(`the callback answers Google's prompt=none error ${error} with a 4xx page naming it`, async () => {
    const b = new TestBrowser();
    const auth = await stack.authorizationUrl(b);
    // What Google sends back for prompt=none (the mock produces it with settings.promptNoneError, see its tests).
    const cb = new URL('/auth/callback', stack.baseUrl);
    cb.searchParams.set('state', auth.searchParams.get('state') ?? '');
    cb.searchParams.set('error', error);
    cb.searchParams.set('iss', stack.mockUrl);
    const res = await b.request(cb);
    const html = await res.text();
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.match(html, new RegExp(error));
  });
}

test('the mock sends each prompt=none error when told to', async () => {
  await stack.control('settings', { promptNoneError: 'account_selection_required' });
  const u = new URL('/o/oauth2/v2/auth', stack.mockUrl);
  for (const [k, v] of Object.entries({
    client_id: 'scopewise-test',
    redirect_uri: `${stack.baseUrl}/auth/callback`,
    response_type: 'code',
    scope: 'openid',
    prompt: 'none',
    state: 's1',
  }))
    u.searchParams.set(k, v);
  const res = await fetch(u, { redirect: 'manual' });
  const loc = new URL(res.headers.get('location') ?? '');
  assert.equal(loc.searchParams.get('error'), 'account_selection_required');
  assert.equal(loc.searchParams.get('state'), 's1');
  await stack.control('settings', { promptNoneError: null });
});

test('an allow-listed e-mail whose address Google has not verified is refused (4xx, no session)', async () => {
  await stack.control('settings', { autoApprove: { email: 'erin@unverified.example' } });
  const b = new TestBrowser();
  const res = await b.follow(`${stack.baseUrl}/login?returnTo=%2F`);
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  const account = await b.follow(`${stack.baseUrl}/account`);
  assert.notEqual(account.status, 200, 'not signed in');
  // The same allow-list admits a verified address: the refusal is about email_verified.
  await stack.control('settings', { autoApprove: { email: 'carol@gmail.com' } });
  const ok = await new TestBrowser().follow(`${stack.baseUrl}/login?returnTo=%2F`);
  assert.equal(ok.status, 200);
});
