// The mock Google alone, for its own tests and the API clients': start one (`useMock()` for a file), drive the
// browser-less code flow at its endpoints (the protocol layer's sign-in), call its controls.
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';

export const CLIENT = {
  clientId: 'test-client.apps.googleusercontent.com',
  clientSecret: 'test-secret',
  redirectUris: ['http://localhost:3000/auth/callback'],
  name: 'Scopewise Test',
};
export const OTHER_CLIENT = {
  clientId: 'other-client',
  clientSecret: 'other-secret',
  redirectUris: ['http://localhost:3001/cb'],
};
export const REDIRECT = CLIENT.redirectUris[0] as string;

export const S = {
  cloud: 'https://www.googleapis.com/auth/cloud-platform',
  cloudRead: 'https://www.googleapis.com/auth/cloud-platform.read-only',
  compute: 'https://www.googleapis.com/auth/compute',
  computeRead: 'https://www.googleapis.com/auth/compute.readonly',
  storageRead: 'https://www.googleapis.com/auth/devstorage.read_only',
  loggingRead: 'https://www.googleapis.com/auth/logging.read',
  runRead: 'https://www.googleapis.com/auth/run.readonly',
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

export async function startMock(): Promise<MockGoogle> {
  return createMockGoogle({ port: 0, clients: [CLIENT, OTHER_CLIENT] });
}

/**
 * One mock for a test file: started before its tests, closed after, reset before each test with `reset: true`.
 * The object is filled in once started.
 */
export function useMock(opts: { reset?: boolean } = {}): MockGoogle {
  const handle = {} as MockGoogle;
  before(async () => {
    Object.assign(handle, await startMock());
  });
  after(async () => {
    await handle.close?.();
  });
  if (opts.reset) {
    beforeEach(async () => {
      await mockControl(handle, 'reset', {});
    });
  }
  return handle;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(mock: MockGoogle, params: Record<string, string | undefined>): string {
  const u = new URL('/o/oauth2/v2/auth', mock.url);
  const all: Record<string, string | undefined> = {
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    state: 'st-123',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export function hiddenFields(html: string): { pending: string; csrf: string } {
  const pending = /name="pending" value="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(pending && csrf, 'page has pending and csrf hidden fields');
  return { pending, csrf };
}

/** Scope checkboxes on a consent page. */
export function consentCheckboxes(html: string): string[] {
  return [...html.matchAll(/type="checkbox"[^>]*name="scope" value="([^"]+)"/g)].map((m) => m[1] ?? '');
}

/**
 * The non-sign-in scopes a consent page asks about: its checkboxes, or, when it asks for one scope only (no
 * checkbox, as Google), that scope.
 */
export function consentScopesOf(html: string): string[] {
  const boxes = consentCheckboxes(html);
  if (boxes.length > 0) return boxes;
  const single = /wants to<\/h2><ul class="scopes"><li>[^<]*<code>([^<]+)<\/code>/.exec(html);
  return single?.[1] ? [single[1]] : [];
}

export async function postForm(url: string, fields: [string, string][], cookie?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

export interface SignInResult {
  /** The redirect back to the client. */
  callback: URL;
  consentShown: boolean;
  consentScopes: string[];
  cookie: string | undefined;
}

/**
 * Drives the authorization endpoint like a browser: account chooser (POST) unless login_hint/cookie picks the user,
 * then the consent screen (POST Allow with every box ticked but `untick`, or Cancel).
 */
export async function authorizeAtMock(
  mock: MockGoogle,
  opts: {
    email?: string;
    params: Record<string, string | undefined>;
    untick?: string[];
    cancel?: boolean;
    cookie?: string;
    useChooser?: boolean;
  },
): Promise<SignInResult> {
  const email = opts.email ?? 'alice@example.com';
  const params = { ...opts.params };
  if (!opts.useChooser && !opts.cookie && params['login_hint'] === undefined) params['login_hint'] = email;
  let res = await fetch(authorizeUrl(mock, params), {
    redirect: 'manual',
    headers: opts.cookie ? { cookie: opts.cookie } : {},
  });
  let cookie = opts.cookie;
  let consentShown = false;
  let consentScopes: string[] = [];
  for (let step = 0; step < 3; step++) {
    if (res.status === 302)
      return { callback: new URL(res.headers.get('location') ?? ''), consentShown, consentScopes, cookie };
    assert.equal(res.status, 200, `expected a page, got ${res.status}`);
    const html = await res.text();
    const fields = hiddenFields(html);
    if (html.includes('action="/o/oauth2/v2/auth/choose"')) {
      res = await postForm(`${mock.url}/o/oauth2/v2/auth/choose`, [
        ['pending', fields.pending],
        ['csrf', fields.csrf],
        ['email', email],
      ]);
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0];
      continue;
    }
    assert.ok(html.includes('action="/o/oauth2/v2/auth/consent"'), 'consent page');
    consentShown = true;
    consentScopes = consentScopesOf(html);
    const ticked = consentScopes.filter((s) => !(opts.untick ?? []).includes(s));
    res = await postForm(`${mock.url}/o/oauth2/v2/auth/consent`, [
      ['pending', fields.pending],
      ['csrf', fields.csrf],
      ...ticked.map((s): [string, string] => ['scope', s]),
      ['action', opts.cancel ? 'cancel' : 'allow'],
    ]);
  }
  throw new Error('too many steps');
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
  id_token?: string;
  refresh_token?: string;
}

export async function tokenRequest(
  mock: MockGoogle,
  fields: Record<string, string>,
  auth: 'basic' | 'post' = 'post',
  client = CLIENT,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(fields);
  if (auth === 'basic') {
    headers['authorization'] =
      `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
  } else {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  }
  return fetch(`${mock.url}/token`, { method: 'POST', headers, body: body.toString() });
}

/** Full happy path: sign in and exchange the code. */
export async function getTokens(
  mock: MockGoogle,
  opts: { email?: string; scope: string; extra?: Record<string, string>; untick?: string[]; nonce?: string },
): Promise<{ tokens: TokenResponse; signIn: SignInResult }> {
  const { verifier, challenge } = pkce();
  const result = await authorizeAtMock(mock, {
    ...(opts.email ? { email: opts.email } : {}),
    ...(opts.untick ? { untick: opts.untick } : {}),
    params: {
      scope: opts.scope,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      nonce: opts.nonce ?? 'n-0S6_WzA2Mj',
      ...(opts.extra ?? {}),
    },
  });
  const code = result.callback.searchParams.get('code');
  assert.ok(code, `got a code: ${result.callback.toString()}`);
  const res = await tokenRequest(mock, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
  });
  assert.equal(res.status, 200, await res.clone().text());
  return { tokens: (await res.json()) as TokenResponse, signIn: result };
}

/** Parsed JSON that a test reads field by field (the mock's answers): the one `any` of the test helpers. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on the fields they expect, the assertion is the check
export type Json = any;

/** A mock control call (`/__control/<path>`): GET without a body, POST with a JSON one. */
function controlRequest(mock: MockGoogle, path: string, body?: unknown): Promise<Response> {
  return fetch(
    `${mock.url}/__control/${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
}

export async function mockControl(mock: MockGoogle, path: string, body?: unknown): Promise<Json> {
  const res = await controlRequest(mock, path, body);
  assert.ok(res.ok, `control ${path} → ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** The status of a control call, for a test that expects the mock to refuse it. */
export async function mockControlStatus(mock: MockGoogle, path: string, body?: unknown): Promise<number> {
  const res = await controlRequest(mock, path, body);
  await res.arrayBuffer();
  return res.status;
}

export async function api(
  mock: MockGoogle,
  path: string,
  token?: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${mock.url}/${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}
