// A hostile (or broken) identity provider and a hostile browser, one attack per test, over real HTTP
// against the mock Google's hostile modes. For every refusal the same four promises are checked:
//   1. a 4xx error page (never a 5xx, never a hang, never a redirect that carries the code onwards);
//   2. no session cookie that works (`GET /me` answers 401 with the browser's cookies);
//   3. the login transaction is used up (the same callback URL, replayed, fails too);
//   4. nothing of the code or the tokens in the page, the URL or the app's logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { useStack, LogCapture } from '../support/index.js';
import { TestBrowser } from '../support/browser.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { startScopewise } from '../../src/compose.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';

// The reset before each test also clears the hostile mode, auto-approve and the keys.
const stack = useStack();

const ALICE = { email: 'alice@example.com', sub: '100000000000000000001' };
const BOB = { email: 'bob@example.com', sub: '100000000000000000002' };

const appHost = () => new URL(stack.baseUrl).hostname;
const hostile = (mode: string | null) => stack.control('hostile', { mode });
const counts = async () => (await stack.control('counts')) as Record<string, number>;

async function startLogin(b: TestBrowser, returnTo = '/'): Promise<URL> {
  const res = await b.request(`${stack.baseUrl}/login?returnTo=${encodeURIComponent(returnTo)}`);
  assert.equal(res.status, 303, `/login answered ${res.status}`);
  await res.arrayBuffer();
  return new URL(res.headers.get('location')!);
}

/** Runs the authorize step at the mock (auto-approved as `email`) and returns the callback URL it redirects to. */
async function authorizeAt(b: TestBrowser, authUrl: URL, email = ALICE.email): Promise<URL> {
  await stack.control('settings', { autoApprove: { email } });
  const res = await b.request(authUrl);
  await res.arrayBuffer();
  assert.equal(res.status, 302, `mock authorize answered ${res.status}`);
  return new URL(res.headers.get('location')!);
}

/** A fresh browser that has started a login and holds the mock's callback URL for it. */
async function browserAtCallback(email = ALICE.email): Promise<{ b: TestBrowser; auth: URL; cb: URL }> {
  const b = new TestBrowser();
  const auth = await startLogin(b);
  const cb = await authorizeAt(b, auth, email);
  return { b, auth, cb };
}

async function me(b: TestBrowser): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await b.request(`${stack.baseUrl}/me`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const TOKEN_PATTERNS: Array<[string, RegExp]> = [
  ['access token', /ya29\./],
  ['refresh token', /1\/\/mock/],
  ['JWT (ID token)', /eyJ[A-Za-z0-9_-]{8,}\.eyJ/],
];

/** Nothing of the code, the state or any token in `text`. */
function assertNoSecrets(where: string, text: string, cb?: URL): void {
  const code = cb?.searchParams.get('code');
  const state = cb?.searchParams.get('state');
  const mentioned = (secret: string) =>
    [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)].some((f) => text.includes(f));
  if (code) assert.ok(!mentioned(code), `the authorization code is in the ${where}`);
  if (state) assert.ok(!mentioned(state), `the state is in the ${where}`);
  for (const [name, re] of TOKEN_PATTERNS) assert.ok(!re.test(text), `an ${name} is in the ${where}`);
  assert.ok(!text.includes(stack.clientSecret), `the client secret is in the ${where}`);
}

interface Refusal {
  status: number;
  /** The error code shown on the page. */
  code: string;
  /** The page's message. */
  message?: RegExp;
  /** What the audit event's `detail` must say (the reason the refusal happened, not just that it did). */
  detail?: RegExp;
  /** The user who stays signed in in this browser (consent flows); default: nobody. */
  signedInAs?: string;
}

/** The four promises for a refused callback `cb` whose response is `res`. */
async function assertRefused(b: TestBrowser, cb: URL, res: Response, want: Refusal): Promise<void> {
  const html = await res.text();
  // 1. a 4xx page, no redirect onwards
  assert.equal(res.status, want.status, `status (page: ${html.replace(/\s+/g, ' ').slice(0, 400)})`);
  assert.ok(res.status >= 400 && res.status < 500);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.equal(res.headers.get('location'), null, 'a refusal is a page, not a redirect');
  const lastRefusal = () =>
    JSON.stringify(stack.logs.events(want.signedInAs ? 'consent-refused' : 'sign-in-refused').at(-1)); // for the failure message
  assert.ok(
    html.includes(`<code>${want.code}</code>`),
    `error code ${want.code} on the page (audit: ${lastRefusal()})`,
  );
  if (want.message) assert.match(html, want.message);
  assertNoSecrets('page', html, cb);
  assertNoSecrets('response headers', JSON.stringify([...res.headers]), cb);
  if (want.detail) {
    const event = stack.logs.events(want.signedInAs ? 'consent-refused' : 'sign-in-refused').at(-1);
    assert.ok(event, 'a refusal is audited');
    assert.equal(event.reason, want.code);
    assert.match(String(event.detail ?? ''), want.detail, 'refused for the right reason');
  }
  // 2. no session that works
  await assertSession(b, want.signedInAs);
  // 3. the transaction is used up: the same callback fails again, without another token request
  const tokenCalls = (await counts()).token ?? 0;
  const replay = await b.request(cb);
  const replayHtml = await replay.text();
  assert.ok(replay.status >= 400 && replay.status < 500, `replay answered ${replay.status}`);
  assert.equal(replay.headers.get('location'), null);
  assert.match(replayHtml, /<code>STATE_(UNKNOWN|MISSING)<\/code>/, 'the replay fails because the transaction is gone');
  assertNoSecrets('replay page', replayHtml, cb);
  assert.equal((await counts()).token ?? 0, tokenCalls, 'a replay never reaches the token endpoint');
  await assertSession(b, want.signedInAs);
  // 4. the URL: nothing after the callback carried the code anywhere
  const after = b.history.slice(b.history.findIndex((h) => h.url === cb.href));
  for (const hop of after) assert.ok(!hop.location, `no redirect after the callback (${hop.location})`);
  await stack.logs.waitForRequestLine('/auth/callback');
  assertNoSecrets('logs', stack.logs.text, cb);
}

async function assertSession(b: TestBrowser, signedInAs: string | undefined): Promise<void> {
  const m = await me(b);
  if (signedInAs) {
    assert.equal(m.status, 200, 'the signed-in user stays signed in');
    assert.equal(m.body.email, signedInAs);
  } else {
    assert.equal(m.status, 401, 'no session cookie that works');
  }
}

/** A whole sign-in through the mock in `mode`, refused as `want`. */
async function expectModeRefused(mode: string, want: Refusal): Promise<void> {
  await hostile(mode);
  const { b, cb } = await browserAtCallback();
  const res = await b.request(cb);
  await assertRefused(b, cb, res, want);
}

/** A full sign-in that must work (the honest path next to each attack). */
async function expectSignInWorks(email = ALICE.email): Promise<TestBrowser> {
  const { b, cb } = await browserAtCallback(email);
  const res = await b.request(cb);
  await res.arrayBuffer();
  assert.equal(res.status, 303, `sign-in of ${email} answered ${res.status}`);
  const m = await me(b);
  assert.equal(m.status, 200);
  assert.equal(m.body.email, email);
  return b;
}

const ID_TOKEN_REFUSED = { status: 400, code: 'ID_TOKEN_INVALID', message: /ID token that failed verification/ };

// ---------------------------------------------------------------------------------------------------
// The browser side: state and the transaction
// ---------------------------------------------------------------------------------------------------

test('state missing: refused, and the transaction is gone', async () => {
  const { b, cb } = await browserAtCallback();
  const noState = new URL(cb);
  noState.searchParams.delete('state');
  const res = await b.request(noState);
  await assertRefused(b, noState, res, { status: 400, code: 'STATE_MISSING', message: /carried no state/ });
  // the real callback cannot finish either: the failed attempt ended the pre-login session
  const real = await b.request(cb);
  assert.equal(real.status, 400);
  assertNoSecrets('page', await real.text(), cb);
  assert.equal((await me(b)).status, 401);
});

test('state wrong: refused, and the real callback cannot be used afterwards', async () => {
  const { b, cb } = await browserAtCallback();
  const wrong = new URL(cb);
  wrong.searchParams.set('state', crypto.randomBytes(32).toString('base64url'));
  const res = await b.request(wrong);
  await assertRefused(b, wrong, res, {
    status: 400,
    code: 'STATE_UNKNOWN',
    message: /does not match a sign-in started in this browser/,
  });
  const real = await b.request(cb);
  assert.equal(real.status, 400);
  assertNoSecrets('page', await real.text(), cb);
  assert.equal((await me(b)).status, 401);
});

test("state from another browser: the victim's own login in progress does not help the attacker", async () => {
  const { cb: attackersCallback } = await browserAtCallback();
  // The victim has a login of their own in progress; the attacker makes them land on the attacker's callback.
  const victim = new TestBrowser();
  await startLogin(victim);
  const tokenCalls = (await counts()).token ?? 0;
  const res = await victim.request(attackersCallback);
  await assertRefused(victim, attackersCallback, res, { status: 400, code: 'STATE_UNKNOWN' });
  assert.equal((await counts()).token ?? 0, tokenCalls, 'the foreign code was never exchanged');
  assert.equal(victim.cookie(appHost(), 'scopewise'), undefined, 'no session is left behind');
});

test('callback replayed after a successful sign-in: refused in the same browser and in another one', async () => {
  const { b, cb } = await browserAtCallback();
  const ok = await b.request(cb);
  assert.equal(ok.status, 303);
  const tokenCalls = (await counts()).token;
  // same browser (signed in): refused, and alice stays signed in
  const again = await b.request(cb);
  const html = await again.text();
  assert.equal(again.status, 400);
  assert.ok(html.includes('<code>STATE_UNKNOWN</code>'));
  assertNoSecrets('page', html, cb);
  assert.equal((await me(b)).body.email, ALICE.email);
  // another browser that got hold of the URL (history, logs, referrer): refused, no session
  const thief = new TestBrowser();
  await assertRefused(thief, cb, await thief.request(cb), { status: 400, code: 'STATE_UNKNOWN' });
  assert.equal((await counts()).token, tokenCalls, 'the used code was never sent again');
});

test('callback replayed after a failed sign-in is refused', async () => {
  await hostile('id-token-wrong-nonce');
  const { b, cb } = await browserAtCallback();
  const first = await b.request(cb);
  await first.arrayBuffer();
  assert.equal(first.status, 400);
  await hostile(null);
  // The transaction was used up by the failed attempt, even though the IdP now behaves.
  await assertRefused(b, cb, await b.request(cb), { status: 400, code: 'STATE_UNKNOWN' });
});

test('callback with no login in progress (no cookie at all) is refused and leaves no session', async () => {
  const { cb } = await browserAtCallback();
  const stranger = new TestBrowser();
  await assertRefused(stranger, cb, await stranger.request(cb), { status: 400, code: 'STATE_UNKNOWN' });
  assert.equal(stranger.cookie(appHost(), 'scopewise'), undefined);
});

test("PKCE: browser A's code delivered to browser B's callback with B's state fails at the token exchange", async () => {
  const a = await browserAtCallback();
  const b = new TestBrowser();
  const bAuth = await startLogin(b);
  const bState = bAuth.searchParams.get('state')!;
  const forged = new URL(a.cb); // A's code, iss and scope...
  forged.searchParams.set('state', bState); // ...with B's state: only B's code_verifier can be sent
  const before = (await counts()).token ?? 0;
  const res = await b.request(forged);
  await assertRefused(b, forged, res, {
    status: 400,
    code: 'TOKEN_EXCHANGE_FAILED',
    detail: /OAUTH_RESPONSE_BODY_ERROR: invalid_grant/,
  });
  assert.equal((await counts()).token, before + 1, 'the token endpoint was asked (and refused the verifier)');
  await stack.logs.waitForRequestLine('/auth/callback');
  assertNoSecrets('logs', stack.logs.text, a.cb);
});

// ---------------------------------------------------------------------------------------------------
// The authorization response
// ---------------------------------------------------------------------------------------------------

test('auth-response-wrong-iss: the iss response parameter names another issuer', async () => {
  await hostile('auth-response-wrong-iss');
  const { b, cb } = await browserAtCallback();
  assert.notEqual(cb.searchParams.get('iss'), stack.mockUrl);
  const before = (await counts()).token ?? 0;
  await assertRefused(b, cb, await b.request(cb), {
    status: 400,
    code: 'TOKEN_EXCHANGE_FAILED',
    detail: /unexpected "iss" \(issuer\) response parameter/,
  });
  assert.equal((await counts()).token ?? 0, before, 'the code is not sent to the token endpoint');
});

test('an error response with HTML in error_description is shown escaped', async () => {
  const b = new TestBrowser();
  const auth = await startLogin(b);
  const cb = new URL(`${stack.baseUrl}/auth/callback`);
  cb.searchParams.set('error', 'server_error');
  cb.searchParams.set('error_description', '<script>alert(1)</script><img src=x onerror=alert(2)>');
  cb.searchParams.set('state', auth.searchParams.get('state')!);
  const res = await b.request(cb);
  const clone = res.clone();
  const html = await clone.text();
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(!html.includes('<img src=x'));
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  await assertRefused(b, cb, res, { status: 400, code: 'IDP_ERROR' });
});

// ---------------------------------------------------------------------------------------------------
// The ID token
// ---------------------------------------------------------------------------------------------------

const ID_TOKEN_CASES: Array<[mode: string, detail: RegExp]> = [
  ['id-token-wrong-iss', /unexpected JWT "iss"/],
  ['id-token-wrong-aud', /unexpected JWT "aud"/],
  ['id-token-expired', /"exp" \(expiration time\)/],
  ['id-token-no-iat', /"iat" \(issued at\) claim missing/],
  ['id-token-no-nonce', /"nonce" \(nonce\) claim missing/],
  ['id-token-wrong-nonce', /unexpected ID Token "nonce" claim value/],
  ['id-token-no-sub', /"sub" \(subject\) claim missing/],
  ['id-token-alg-none', /unexpected JWT "alg" header parameter/],
  ['id-token-hs256', /unexpected JWT "alg" header parameter/],
  ['id-token-bad-signature', /JWT signature verification failed/],
];
for (const [mode, detail] of ID_TOKEN_CASES) {
  test(`${mode}: refused`, async () => {
    await expectModeRefused(mode, { ...ID_TOKEN_REFUSED, detail });
    // and nothing was stored for alice: the next honest sign-in starts from scratch and works
    await hostile(null);
    await expectSignInWorks();
  });
}

test('id-token-extra-aud with azp = this client is valid OIDC and signs in', async () => {
  await hostile('id-token-extra-aud');
  await expectSignInWorks();
});

test('an ID token with an extra aud and no azp is refused (token response injected: the mock has no such mode)', async () => {
  // The mock's id-token-extra-aud keeps azp; to get "extra aud without azp" the token response is injected.
  // Its signature is not valid, but the audience check comes first and the audit detail shows which fired.
  const b = new TestBrowser();
  const auth = await startLogin(b);
  const cb = await authorizeAt(b, auth);
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const idToken = `${enc({ alg: 'RS256', kid: 'x', typ: 'JWT' })}.${enc({
    iss: stack.mockUrl,
    aud: ['scopewise-test', 'someone-elses-client.apps.googleusercontent.com'],
    sub: ALICE.sub,
    email: ALICE.email,
    email_verified: true,
    hd: 'example.com',
    nonce: auth.searchParams.get('nonce'),
    iat: now,
    exp: now + 3600,
  })}.${crypto.randomBytes(256).toString('base64url')}`;
  await stack.control('inject', {
    endpoint: 'token',
    status: 200,
    body: { access_token: 'ya29.injected', token_type: 'Bearer', expires_in: 3600, scope: 'openid', id_token: idToken },
    times: 1,
  });
  await assertRefused(b, cb, await b.request(cb), {
    ...ID_TOKEN_REFUSED,
    detail: /includes additional untrusted audiences/,
  });
});

test('id-token-unknown-kid: the JWKS is fetched again once, and a still-unknown key is refused', async () => {
  await expectSignInWorks(); // the app now holds the JWKS
  await hostile('id-token-unknown-kid');
  const before = (await counts()).jwks ?? 0;
  const { b, cb } = await browserAtCallback();
  const res = await b.request(cb);
  assert.equal((await counts()).jwks ?? 0, before + 1, 'exactly one JWKS refetch for the unknown kid');
  await assertRefused(b, cb, res, { ...ID_TOKEN_REFUSED, detail: /OAUTH_KEY_SELECTION_FAILED: .*no applicable keys/ });
});

test('after the IdP rotates its signing key, sign-in still works (the JWKS is refetched once, then cached)', async () => {
  await expectSignInWorks(); // warm the app's JWKS cache with the first key
  const rotated = (await stack.control('rotate-key', {})) as { kid: string; kids: string[] };
  assert.equal(rotated.kids.length, 2);
  const before = (await counts()).jwks ?? 0;
  await expectSignInWorks(); // signed with the new key, which the app has not seen yet
  assert.equal((await counts()).jwks ?? 0, before + 1, 'one JWKS refetch for the new kid');
  await expectSignInWorks();
  assert.equal((await counts()).jwks ?? 0, before + 1, 'the new key is cached afterwards');
});

// ---------------------------------------------------------------------------------------------------
// Userinfo
// ---------------------------------------------------------------------------------------------------

test("userinfo-other-sub: a profile for another subject than the ID token's is refused", async () => {
  await expectModeRefused('userinfo-other-sub', { status: 400, code: 'USERINFO_INVALID', detail: /"sub" property/ });
});

// ---------------------------------------------------------------------------------------------------
// The token endpoint
// ---------------------------------------------------------------------------------------------------

test('token-not-json: refused', async () => {
  await expectModeRefused('token-not-json', {
    status: 400,
    code: 'TOKEN_EXCHANGE_FAILED',
    detail: /OAUTH_RESPONSE_IS_NOT_JSON/,
  });
});

test('token-huge (16 MiB): refused without reading it all', async () => {
  await expectModeRefused('token-huge', { status: 400, code: 'TOKEN_EXCHANGE_FAILED', detail: /too large/ });
});

test('token-hang: the token call times out, the user gets a page, the app does not hang', async () => {
  await hostile('token-hang');
  const { b, cb } = await browserAtCallback();
  const started = Date.now();
  const res = await b.request(cb);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 8_000, `answered after ${elapsed} ms`);
  await assertRefused(b, cb, res, {
    status: 400,
    code: 'TOKEN_EXCHANGE_FAILED',
    message: /took too long/,
    detail: /OAUTH_TIMEOUT/,
  });
  // the app still serves others meanwhile and afterwards
  await hostile(null);
  await expectSignInWorks();
});

// ---------------------------------------------------------------------------------------------------
// Discovery
// ---------------------------------------------------------------------------------------------------

test('discovery-wrong-issuer: a fresh app is not ready, /login answers 503 with a clear page, and it recovers', async () => {
  await hostile('discovery-wrong-issuer');
  const logs = new LogCapture();
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      BASE_URL: stack.baseUrl, // only names the redirect URI; sign-in never gets that far here
      OIDC_ISSUER: stack.mockUrl,
      OIDC_CLIENT_ID: 'scopewise-test',
      OIDC_CLIENT_SECRET: stack.clientSecret,
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
      TOKEN_KEYS: generateKeySpec('test1'),
      SESSION_STORE: 'memory',
      ALLOWED_DOMAINS: 'example.com',
      LOG_LEVEL: 'debug',
    },
    { testing: true },
  );
  const app = await startScopewise(config, createLogger(config.logLevel, logs.stream));
  try {
    const health = await fetch(`${app.url}/healthz`);
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { ready: false });
    const detail = await app.health();
    assert.deepEqual([detail.sessionStore, detail.identityProvider], ['ok', 'unavailable']);
    const b = new TestBrowser();
    const login = await b.request(`${app.url}/login`);
    const html = await login.text();
    assert.equal(login.status, 503);
    assert.equal(login.headers.get('location'), null, 'no redirect to an issuer that could not be verified');
    assert.match(html, /Sign-in is unavailable/);
    assert.match(html, /cannot be reached right now/);
    assert.match(logs.text, /OIDC discovery failed/);
    assert.match(logs.text, /issuer does not match the expected issuer/, 'the log says why');
    assert.ok(!logs.text.includes('OIDC discovery succeeded'));
    // When the issuer behaves again, the app finds it on its own.
    await hostile(null);
    const deadline = Date.now() + 5_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      ready = (await fetch(`${app.url}/healthz`)).status === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ready, 'discovery recovered');
  } finally {
    await app.close();
  }
});

// ---------------------------------------------------------------------------------------------------
// Incremental consent
// ---------------------------------------------------------------------------------------------------

test('a consent completed by another account (bob) while alice is signed in: 403, nothing stored, alice stays', async () => {
  const b = await stack.signIn(ALICE.email);
  const scopesBefore = (await me(b)).body.scopes as string[];
  const start = await b.request(`${stack.baseUrl}/consent/vms?returnTo=${encodeURIComponent('/vms')}`);
  await start.arrayBuffer();
  assert.equal(start.status, 303, `consent route answered ${start.status}`);
  const auth = new URL(start.headers.get('location')!);
  assert.equal(auth.origin, stack.mockUrl);
  assert.equal(auth.searchParams.get('login_hint'), ALICE.email);
  const cb = await authorizeAt(b, auth, BOB.email); // the IdP completes it as bob
  const res = await b.request(cb);
  await assertRefused(b, cb, res, {
    status: 403,
    code: 'SUBJECT_MISMATCH',
    message: /Access was granted by another account/,
    signedInAs: ALICE.email,
  });
  const refused = stack.logs.events('consent-refused').find((e) => e.reason === 'SUBJECT_MISMATCH');
  assert.equal(refused?.otherSub, BOB.sub);
  const after = await me(b);
  assert.equal(after.body.sub, ALICE.sub);
  assert.deepEqual(after.body.scopes, scopesBefore, "nothing of bob's grant was stored");
});
