// Sign-in over real HTTP against the mock Google: what a user (and an attacker) would notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';
import { TestBrowser, hiddenInput } from '../support/browser.js';

const stack = useStack();

const isAuthorize = (u: URL) => u.pathname === '/o/oauth2/v2/auth';

async function startLogin(b: TestBrowser, returnTo = '/') {
  const res = await b.request(`${stack.baseUrl}/login?returnTo=${encodeURIComponent(returnTo)}`);
  assert.equal(res.status, 303);
  return new URL(res.headers.get('location')!);
}

/** Runs the authorize step at the mock (auto-approved) and returns the callback URL it redirects to. */
async function authorizeAt(b: TestBrowser, authUrl: URL, email = 'alice@example.com'): Promise<URL> {
  await stack.control('settings', { autoApprove: { email } });
  const res = await b.request(authUrl);
  assert.equal(res.status, 302, `mock authorize answered ${res.status}`);
  return new URL(res.headers.get('location')!);
}

test('login asks for identity only, with PKCE S256, state, nonce and the hd hint', async () => {
  const b = new TestBrowser();
  const url = await startLogin(b);
  assert.ok(url.href.startsWith(stack.mockUrl));
  assert.ok(isAuthorize(url));
  const p = url.searchParams;
  assert.equal(p.get('scope'), 'openid email profile');
  assert.equal(p.get('response_type'), 'code');
  assert.equal(p.get('code_challenge_method'), 'S256');
  assert.match(p.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((p.get('state') ?? '').length >= 20);
  assert.ok((p.get('nonce') ?? '').length >= 20);
  assert.equal(p.get('hd'), 'example.com');
  assert.equal(p.get('redirect_uri'), `${stack.baseUrl}/auth/callback`);
  assert.equal(p.get('include_granted_scopes'), null);
  const again = await startLogin(new TestBrowser());
  assert.notEqual(again.searchParams.get('state'), p.get('state'), 'state is fresh each time');
});

test('an admin signs in: new session id, identity server-side, redirect to returnTo, no token in the browser', async () => {
  const b = new TestBrowser();
  const auth = await startLogin(b, '/account?tab=1');
  const host = new URL(stack.baseUrl).hostname;
  const preLogin = b.cookie(host, 'scopewise');
  assert.ok(preLogin, 'the transaction rides on a session cookie');
  const cb = await authorizeAt(b, auth);
  const res = await b.request(cb);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/account?tab=1');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const after = b.cookie(host, 'scopewise');
  assert.ok(after && after !== preLogin, 'session id changes at sign-in (no fixation)');
  const cookieHeader = b.setCookieHeaders.find((c) => c.startsWith('scopewise=') && c.includes(after!))!;
  assert.match(cookieHeader, /HttpOnly/i);
  assert.match(cookieHeader, /SameSite=Lax/i);
  const me = await b.request(`${stack.baseUrl}/me`);
  assert.equal(me.status, 200);
  const body = (await me.json()) as { sub: string; email: string; scopes: string[] };
  assert.equal(body.email, 'alice@example.com');
  assert.equal(body.sub, '100000000000000000001');
  assert.ok(body.scopes.includes('openid'));
  assert.ok(!body.scopes.some((s) => s.includes('cloud-platform') || s.includes('compute')));
  const home = await (await b.request(`${stack.baseUrl}/`)).text();
  assert.match(home, /Alice Admin/);
  assert.ok(
    !/ya29\.|1\/\/mock/.test(home + JSON.stringify(body) + b.setCookieHeaders.join()),
    'no token reaches the browser',
  );
  assert.equal(stack.logs.events('sign-in').at(-1)?.email, 'alice@example.com');
});

test('the old session id no longer works after sign-in (fixation)', async () => {
  const b = new TestBrowser();
  const auth = await startLogin(b);
  const host = new URL(stack.baseUrl).hostname;
  const preLogin = b.cookie(host, 'scopewise')!;
  const cb = await authorizeAt(b, auth);
  await b.request(cb);
  const attacker = new TestBrowser();
  attacker.jar.set(host, new Map([['scopewise', preLogin]]));
  assert.equal((await attacker.request(`${stack.baseUrl}/me`)).status, 401);
});

test('a consumer account and another domain are refused with a 403 page and no session', async () => {
  for (const email of ['carol@gmail.com', 'dave@other.example']) {
    const b = new TestBrowser();
    const cb = await authorizeAt(b, await startLogin(b), email);
    const res = await b.request(cb);
    assert.equal(res.status, 403);
    const html = await res.text();
    assert.match(html, /may not use Scopewise/);
    assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 401);
    const refused = stack.logs.events('sign-in-refused').at(-1);
    assert.equal(refused?.email, email);
  }
});

test('a tampered state is refused, and the real callback cannot be used afterwards either', async () => {
  const b = new TestBrowser();
  const cb = await authorizeAt(b, await startLogin(b));
  const tampered = new URL(cb);
  tampered.searchParams.set('state', `${cb.searchParams.get('state')}x`);
  const res = await b.request(tampered);
  assert.equal(res.status, 400);
  assert.match(await res.text(), /does not match a sign-in started in this browser/);
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 401);
  assert.equal((await b.request(cb)).status, 400, 'the failed attempt used the transaction up');
});

test('a callback replayed after success is refused', async () => {
  const b = new TestBrowser();
  const cb = await authorizeAt(b, await startLogin(b));
  assert.equal((await b.request(cb)).status, 303);
  const replay = await b.request(cb);
  assert.equal(replay.status, 400);
});

test('a callback with no login in progress, or from another browser, is refused', async () => {
  const b = new TestBrowser();
  const cb = await authorizeAt(b, await startLogin(b));
  const other = new TestBrowser();
  const res = await other.request(cb);
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.ok(!html.includes(cb.searchParams.get('code')!), 'the code is not echoed');
  assert.equal((await other.request(`${stack.baseUrl}/me`)).status, 401);
  assert.equal(other.cookie(new URL(stack.baseUrl).hostname, 'scopewise'), undefined, 'no session is left behind');
  // The rightful browser can still finish: the failed attempt elsewhere did not consume its transaction.
  assert.equal((await b.request(cb)).status, 303);
});

test('missing state and repeated parameters are refused with 400', async () => {
  const b = new TestBrowser();
  const cb = await authorizeAt(b, await startLogin(b));
  const noState = new URL(cb);
  noState.searchParams.delete('state');
  assert.equal((await b.request(noState)).status, 400);
  const doubled = new URL(cb);
  doubled.searchParams.append('code', 'second');
  assert.equal((await b.request(doubled)).status, 400);
});

test('Cancel at Google gives a friendly page with a way to try again', async () => {
  const b = new TestBrowser();
  const auth = await startLogin(b);
  const cb = new URL(`${stack.baseUrl}/auth/callback`);
  cb.searchParams.set('error', 'access_denied');
  cb.searchParams.set('state', auth.searchParams.get('state')!);
  const res = await b.request(cb);
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.match(html, /Sign-in was cancelled/);
  assert.match(html, /href="\/login"[^>]*>Try again/);
});

test('open-redirect returnTo values land on /', async () => {
  for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example', '%2F%2Fevil.example']) {
    const b = new TestBrowser();
    const auth = await startLogin(b, evil);
    const cb = await authorizeAt(b, auth);
    const res = await b.request(cb);
    assert.equal(res.headers.get('location'), '/', evil);
  }
});

test('logout needs the CSRF token, then destroys the session server-side', async () => {
  const b = await stack.signIn('alice@example.com');
  const host = new URL(stack.baseUrl).hostname;
  const sid = b.cookie(host, 'scopewise')!;
  assert.equal((await b.postForm(`${stack.baseUrl}/logout`, {})).status, 403);
  assert.equal((await b.postForm(`${stack.baseUrl}/logout`, { _csrf: 'wrong' })).status, 403);
  const crossSite = await b.postForm(`${stack.baseUrl}/logout`, { _csrf: 'x' }, { 'sec-fetch-site': 'cross-site' });
  assert.equal(crossSite.status, 403);
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 200, 'refused logouts changed nothing');
  const home = await (await b.request(`${stack.baseUrl}/`)).text();
  const token = hiddenInput(home, '_csrf');
  assert.ok(token);
  const res = await b.postForm(`${stack.baseUrl}/logout`, { _csrf: token! });
  assert.equal(res.status, 303);
  assert.ok(b.setCookieHeaders.at(-1)!.startsWith('scopewise=;'), 'cookie cleared');
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 401);
  const replayed = new TestBrowser();
  replayed.jar.set(host, new Map([['scopewise', sid]]));
  assert.equal((await replayed.request(`${stack.baseUrl}/me`)).status, 401, 'the old cookie is dead server-side');
});

test('healthz is ready; the whole security policy is on every page', async () => {
  const res = await fetch(`${stack.baseUrl}/healthz`);
  assert.equal(res.status, 200);
  // Ready or not, nothing more in public (the detail is on the internal listener: test/web/healthz.test.ts).
  assert.deepEqual(await res.json(), { ready: true });
  for (const path of ['/', '/login?returnTo=%2F', '/nowhere']) {
    const page = await fetch(`${stack.baseUrl}${path}`, { redirect: 'manual' });
    await page.arrayBuffer();
    const csp = Object.fromEntries(
      (page.headers.get('content-security-policy') ?? '')
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name, ...values] = d.split(/\s+/);
          return [name, values.join(' ')];
        }),
    );
    assert.deepEqual(
      csp,
      {
        'default-src': "'self'",
        'script-src': "'self'",
        'style-src': "'self'",
        'img-src': "'self' data:",
        'font-src': "'self'",
        'connect-src': "'self'",
        'object-src': "'none'",
        'base-uri': "'none'",
        'form-action': `'self' ${new URL(stack.mockUrl).origin}`,
        'frame-ancestors': "'none'",
      },
      path,
    );
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('strict-transport-security'), null, 'no HSTS on a plain-http BASE_URL');
    assert.equal(page.headers.get('etag'), null, 'no ETag on a no-store page');
  }
});

test('no code, token or state reaches the logs (in any encoding, once the request lines are written)', async () => {
  const b = new TestBrowser();
  const cb = await authorizeAt(b, await startLogin(b));
  await b.request(cb);
  await (await b.request(`${stack.baseUrl}/me`)).arrayBuffer();
  await stack.logs.waitForRequestLine('/auth/callback');
  await stack.logs.waitForRequestLine('/me');
  const code = cb.searchParams.get('code')!;
  const state = cb.searchParams.get('state')!;
  assert.ok(
    stack.logs.lines.some((l) => l.includes('/auth/callback')),
    'the callback was logged (the search reads the right lines)',
  );
  assert.ok(!stack.logs.mentions(code), 'code in logs');
  assert.ok(!stack.logs.mentions(state), 'state in logs');
  assert.ok(!/ya29\.|ya29%2E|1\/\/mock|1%2F%2Fmock/i.test(stack.logs.text), 'a token in logs');
});
