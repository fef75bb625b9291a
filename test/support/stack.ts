// Scopewise and the mock Google in this process on free ports, for integration tests: `startStack()` for one
// test, `useStack()` for a file (started before its tests, reset before each, closed after). Sign-in and consent
// go through the real HTTP flow (the HTTP layer's one signIn; the benchmarks use the same).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach } from 'node:test';
import { loadConfig, type Config } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { startScopewise, type RunningScopewise, type StartOptions } from '../../src/compose.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { createMockGoogle } from '../../mock-google/server.js';
import { hiddenInput, RecordingBrowser, StopAt, type TestBrowser } from './browser.js';
import { LogCapture } from './logs.js';
import { freePort } from './ports.js';
import { AUTH } from './auth-scope.js';

export { AUTH };
export const ALICE = 'alice@example.com';
/** The identity scopes as the token endpoint reports them. */
export const IDENTITY = [`${AUTH}userinfo.email`, `${AUTH}userinfo.profile`, 'openid'];
export const sorted = (xs: readonly string[]) => [...xs].sort();

/** Calls a mock Google control (`/__control/<path>`): GET without a body, POST with one. */
export type Control = (path: string, body?: unknown) => Promise<unknown>;

export function controlOf(mockUrl: string): Control {
  return async (path, body) => {
    const res = await fetch(
      `${mockUrl}/__control/${path}`,
      body === undefined
        ? {}
        : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
  };
}

/**
 * Signs `email` in through the real flow against `baseUrl` (the mock auto-approves) and returns the browser.
 * The one sign-in of the HTTP layer: stacks, clusters and the benchmarks use it.
 */
export async function signInOverHttp(
  baseUrl: string,
  control: Control,
  email: string,
  returnTo = '/',
  browser: TestBrowser = new RecordingBrowser(),
): Promise<TestBrowser> {
  await control('settings', { autoApprove: { email } });
  const res = await browser.follow(`${baseUrl}/login?returnTo=${encodeURIComponent(returnTo)}`);
  await res.arrayBuffer();
  if (res.status !== 200)
    throw new Error(
      `sign-in of ${email} ended with ${res.status}: ${browser.history.map((h) => `${h.status} ${h.url}`).join(' → ')}`,
    );
  return browser;
}

export interface Page {
  status: number;
  html: string;
  location: string | null;
}

export interface Stack {
  app: RunningScopewise;
  config: Config;
  mockUrl: string;
  baseUrl: string;
  logs: LogCapture;
  clientSecret: string;
  control: Control;
  browser(): TestBrowser;
  /** Signs `email` in (the mock auto-approves) and returns a browser that records everything it sees. */
  signIn(email?: string, returnTo?: string): Promise<RecordingBrowser>;
  /** Consents to a feature (the mock auto-approves all it is asked) and returns the page Scopewise lands on. */
  grant(b: TestBrowser, featureId: string, returnTo?: string, email?: string): Promise<Page>;
  /** Starts a consent and returns the mock's authorization URL it redirects to. */
  consentUrl(b: TestBrowser, featureId: string, returnTo?: string): Promise<URL>;
  /**
   * Drives the mock's real consent screen (no auto-approval): choose `email` if asked, then Allow with only the
   * `keep` scopes ticked. Returns Scopewise's answer to the callback.
   */
  consentGranular(b: TestBrowser, authUrl: URL, keep: string[], email?: string): Promise<Response>;
  /** Follows Scopewise's redirects from `path` up to the mock's own page (not auto-approved); returns its HTML. */
  mockPage(b: TestBrowser, path: string): Promise<string>;
  /** Clicks Allow (with `scopes` ticked) or Cancel on a mock consent page; returns the page Scopewise lands on. */
  answerConsent(b: TestBrowser, html: string, action: 'allow' | 'cancel', scopes?: string[]): Promise<Page>;
  /** Starts a sign-in and stops at the mock's authorization URL (its `state` is a live transaction). */
  authorizationUrl(b: TestBrowser): Promise<URL>;
  /** GETs a Scopewise path without following redirects. */
  get(b: TestBrowser, path: string): Promise<Page>;
  /** GETs a Scopewise path following redirects. */
  follow(b: TestBrowser, path: string): Promise<Page>;
  grants(email?: string): Promise<{ scopes: string[]; revoked: boolean; refreshTokens: number }>;
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  mockPort?: number;
  /** The app's clock (session lifetimes, token expiry), for tests that move time. */
  now?: () => number;
  start?: Omit<StartOptions, 'now'>;
}

async function page(res: Response): Promise<Page> {
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const appPort = await freePort();
  const baseUrl = `http://localhost:${appPort}`;
  const clientSecret = crypto.randomBytes(16).toString('hex');
  const mock = await createMockGoogle({
    port: opts.mockPort ?? 0,
    clients: [{ clientId: 'scopewise-test', clientSecret, redirectUris: [`${baseUrl}/auth/callback`] }],
  });
  const logs = new LogCapture();
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      PORT: String(appPort),
      BASE_URL: baseUrl,
      OIDC_ISSUER: mock.issuer,
      OIDC_CLIENT_ID: 'scopewise-test',
      OIDC_CLIENT_SECRET: clientSecret,
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
      TOKEN_KEYS: generateKeySpec('test1'),
      SESSION_STORE: 'memory',
      ALLOWED_DOMAINS: 'example.com',
      GOOGLE_API_BASE_URL: mock.url,
      LOG_LEVEL: 'debug',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...opts.env,
    },
    { testing: true },
  );
  const app = await startScopewise(config, createLogger(config.logLevel, logs.stream), {
    ...(opts.start ?? {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const control = controlOf(mock.url);
  const url = (path: string) => `${baseUrl}${path}`;
  const stack: Stack = {
    app,
    config,
    mockUrl: mock.url,
    baseUrl,
    logs,
    clientSecret,
    control,
    browser: () => new RecordingBrowser(),
    signIn: async (email = ALICE, returnTo = '/') =>
      (await signInOverHttp(baseUrl, control, email, returnTo)) as RecordingBrowser,
    async grant(b, featureId, returnTo = `/${featureId}`, email = ALICE) {
      await control('settings', { autoApprove: { email } });
      return page(await b.follow(url(`/consent/${featureId}?returnTo=${encodeURIComponent(returnTo)}`)));
    },
    async consentUrl(b, featureId, returnTo = `/${featureId}`) {
      const res = await b.request(url(`/consent/${featureId}?returnTo=${encodeURIComponent(returnTo)}`));
      await res.arrayBuffer();
      assert.equal(res.status, 303, `consent for ${featureId}`);
      const u = new URL(res.headers.get('location')!);
      assert.equal(u.origin + u.pathname, `${mock.url}/o/oauth2/v2/auth`);
      return u;
    },
    async consentGranular(b, authUrl, keep, email = ALICE) {
      await control('settings', { autoApprove: null });
      let res = await b.request(authUrl);
      let html = await res.text();
      assert.equal(res.status, 200, `mock consent screen: ${res.status}`);
      if (/auth\/choose/.test(html) && !/auth\/consent/.test(html)) {
        res = await b.postForm(`${mock.url}/o/oauth2/v2/auth/choose`, {
          pending: hiddenInput(html, 'pending')!,
          csrf: hiddenInput(html, 'csrf')!,
          email,
        });
        html = await res.text();
        assert.equal(res.status, 200);
      }
      assert.match(html, /auth\/consent/, 'the consent form shows');
      const form = new URLSearchParams({
        pending: hiddenInput(html, 'pending')!,
        csrf: hiddenInput(html, 'csrf')!,
        action: 'allow',
      });
      for (const s of keep) form.append('scope', s);
      const back = await b.request(`${mock.url}/o/oauth2/v2/auth/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      assert.equal(back.status, 302, 'the mock redirects back');
      const cb = new URL(back.headers.get('location')!);
      assert.equal(cb.origin, baseUrl);
      return b.request(cb);
    },
    async mockPage(b, path) {
      await control('settings', { autoApprove: null });
      const res = await b.follow(url(path));
      assert.equal(res.status, 200, 'the mock shows a page');
      return res.text();
    },
    async answerConsent(b, html, action, scopes = []) {
      const body = new URLSearchParams({
        pending: hiddenInput(html, 'pending') ?? '',
        csrf: hiddenInput(html, 'csrf') ?? '',
        action,
      });
      for (const s of scopes) body.append('scope', s);
      const back = await b.request(`${mock.url}/o/oauth2/v2/auth/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
      assert.equal(back.status, 302);
      return page(await b.follow(new URL(back.headers.get('location') ?? '', mock.url)));
    },
    async authorizationUrl(b) {
      try {
        await b.follow(url('/login?returnTo=%2F'), 10, (u) => u.origin === mock.url);
      } catch (err) {
        if (err instanceof StopAt) return err.url;
        throw err;
      }
      throw new Error('sign-in did not go to the mock');
    },
    get: async (b, path) => page(await b.request(url(path))),
    follow: async (b, path) => page(await b.follow(url(path))),
    grants: async (email = ALICE) =>
      (await control(`grants?email=${encodeURIComponent(email)}`)) as {
        scopes: string[];
        revoked: boolean;
        refreshTokens: number;
      },
    counts: async () => (await control('counts')) as Record<string, number>,
    async close() {
      await app.close();
      await mock.close();
    },
  };
  return stack;
}

/**
 * One stack for a test file: started before its tests, the mock reset before each test (unless `reset: false`),
 * closed after. The returned object is filled in when the stack has started.
 */
export function useStack(opts: StackOptions & { reset?: boolean } = {}): Stack {
  const handle = {} as Stack;
  before(async () => {
    Object.assign(handle, await startStack(opts));
  });
  after(async () => {
    await handle.close?.();
  });
  if (opts.reset !== false) {
    beforeEach(async () => {
      await handle.control('reset', {});
    });
  }
  return handle;
}
