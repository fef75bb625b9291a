// Web-level protections: rate limits, caching, cross-site requests, the IdP down at start-up, log redaction.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startStack, freePort, type Stack } from '../support/index.js';
import { TestBrowser, hiddenInput } from '../support/browser.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { startScopewise } from '../../src/compose.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { createMockGoogle } from '../../mock-google/server.js';
import { LogCapture } from '../support/index.js';

const stacks: Stack[] = [];
after(async () => {
  for (const s of stacks) await s.close();
});

test('sign-in is rate limited per client: 429 with Retry-After and a clear page', async () => {
  const stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
  stacks.push(stack);
  const b = new TestBrowser();
  for (let i = 0; i < 3; i++) assert.equal((await b.request(`${stack.baseUrl}/login`)).status, 303);
  const limited = await b.request(`${stack.baseUrl}/login`);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After header');
  assert.match(await limited.text(), /Too many attempts/);
  assert.equal(
    (await b.request(`${stack.baseUrl}/auth/callback?state=x&code=y`)).status,
    429,
    'the callback shares the limit',
  );
  assert.equal((await fetch(`${stack.baseUrl}/healthz`)).status, 200, 'other routes are not limited');
});

test('signed-in pages and the callback are not cached; the callback leaves a clean URL', async () => {
  const stack = await startStack();
  stacks.push(stack);
  const b = await stack.signIn('alice@example.com');
  const callback = b.history.find((h) => h.url.includes('/auth/callback'))!;
  assert.equal(callback.status, 303);
  assert.ok(callback.location && !callback.location.includes('code='), 'redirected to a URL without the code');
  for (const path of ['/', '/account', '/vms', '/me']) {
    const res = await b.request(`${stack.baseUrl}${path}`);
    assert.equal(res.headers.get('cache-control'), 'no-store', path);
  }
});

test('a cross-site link to consent asks the user first instead of bouncing to Google', async () => {
  const stack = await startStack();
  stacks.push(stack);
  const b = await stack.signIn('alice@example.com');
  const res = await b.request(`${stack.baseUrl}/consent/vms?returnTo=/vms`, {
    headers: { 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Continue to Google\?/);
  const same = await b.request(`${stack.baseUrl}/consent/vms?returnTo=/vms`, {
    headers: { 'sec-fetch-site': 'same-origin' },
  });
  assert.equal(same.status, 303);
  assert.ok(same.headers.get('location')!.startsWith(stack.mockUrl));
});

test('cross-site POSTs change nothing even with a valid CSRF token', async () => {
  const stack = await startStack();
  stacks.push(stack);
  const b = await stack.signIn('alice@example.com');
  const token = hiddenInput(await (await b.request(`${stack.baseUrl}/account`)).text(), '_csrf')!;
  for (const path of ['/logout', '/disconnect', '/account/reduce', '/vms/power']) {
    const res = await b.postForm(`${stack.baseUrl}${path}`, { _csrf: token }, { 'sec-fetch-site': 'cross-site' });
    assert.equal(res.status, 403, path);
  }
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 200);
});

test('the IdP down at start-up: the app starts, is not ready, answers 503 on sign-in, and recovers by itself', async () => {
  const mockPort = await freePort();
  const appPort = await freePort();
  const logs = new LogCapture();
  const secret = crypto.randomBytes(16).toString('hex');
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      PORT: String(appPort),
      BASE_URL: `http://localhost:${appPort}`,
      OIDC_ISSUER: `http://127.0.0.1:${mockPort}`,
      OIDC_CLIENT_ID: 'c',
      OIDC_CLIENT_SECRET: secret,
      SESSION_SECRET: 'x'.repeat(32),
      TOKEN_KEYS: generateKeySpec('k'),
      SESSION_STORE: 'memory',
      LOG_LEVEL: 'info',
    },
    { testing: true },
  );
  const app = await startScopewise(config, createLogger('info', logs.stream));
  try {
    const health = await fetch(`http://localhost:${appPort}/healthz`);
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { ready: false });
    assert.equal((await app.health()).identityProvider, 'unavailable');
    assert.match(logs.text, /"msg":"health: not ready"/, 'the detail is logged when readiness changes');
    const login = await fetch(`http://localhost:${appPort}/login`, { redirect: 'manual' });
    assert.equal(login.status, 503);
    assert.match(await login.text(), /Sign-in is unavailable/);
    const mock = await createMockGoogle({
      port: mockPort,
      clients: [{ clientId: 'c', clientSecret: secret, redirectUris: [`http://localhost:${appPort}/auth/callback`] }],
    });
    try {
      const deadline = Date.now() + 8000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        ready = (await fetch(`http://localhost:${appPort}/healthz`)).status === 200;
      }
      assert.ok(ready, 'became ready once the IdP came back');
      assert.equal((await fetch(`http://localhost:${appPort}/login`, { redirect: 'manual' })).status, 303);
    } finally {
      await mock.close();
    }
  } finally {
    await app.close();
  }
});

test('a known token sent through every path never reaches the logs', async () => {
  const stack = await startStack();
  stacks.push(stack);
  const secret = `ya29.known-${crypto.randomBytes(12).toString('hex')}`;
  const b = await stack.signIn('alice@example.com');
  const paths = [
    '/',
    '/me',
    '/vms',
    `/auth/callback?code=${secret}&state=${secret}`,
    `/login?returnTo=/${secret}`,
    `/nowhere?access_token=${secret}`,
  ];
  for (const p of paths) {
    await b.request(`${stack.baseUrl}${p}`, {
      headers: { authorization: `Bearer ${secret}`, cookie: `other=${secret}` },
    });
  }
  await b.postForm(`${stack.baseUrl}/logout`, { _csrf: secret, code: secret, refresh_token: secret });
  // A security event token made of the secret, refused: the refusal is logged with its code, never the token.
  const risc = await fetch(`${stack.baseUrl}/risc`, {
    method: 'POST',
    headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${secret}` },
    body: `${secret}.${secret}.${secret}`,
  });
  assert.equal(risc.status, 400);
  for (const p of ['/nowhere', '/logout', '/risc']) await stack.logs.waitForRequestLine(p);
  assert.ok(
    stack.logs.lines.some((l) => /"code":"SET_[A-Z_]+"/.test(l)),
    'the refusal code is readable (redaction hides secrets, not codes)',
  );
  assert.ok(stack.logs.lines.length > 5, 'requests were logged');
  assert.ok(!stack.logs.mentions(secret), 'the token appears in the logs');
  assert.ok(!stack.logs.mentions(stack.clientSecret), 'the client secret appears in the logs');
});

test('Strict-Transport-Security is sent when BASE_URL is https', async () => {
  const stack = await startStack({ env: { BASE_URL: 'https://scopewise.example.com', TRUST_PROXY: '1' } });
  stacks.push(stack);
  const res = await fetch(`${stack.baseUrl}/`);
  await res.arrayBuffer();
  assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
});
