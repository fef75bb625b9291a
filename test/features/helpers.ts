// Shared helpers for the feature integration tests: a browser that records everything it saw (to prove no
// token ever reaches it), consent through the mock (auto-approved or through its real granular form).
import assert from 'node:assert/strict';
import { TestBrowser, hiddenInput } from '../helpers/browser.js';
import type { Stack } from '../helpers/stack.js';

export const AUTH = 'https://www.googleapis.com/auth/';
export const ALICE = 'alice@example.com';
/** The identity scopes as the token endpoint reports them. */
export const IDENTITY = [`${AUTH}userinfo.email`, `${AUTH}userinfo.profile`, 'openid'];
export const sorted = (xs: string[]) => [...xs].sort();

/** Every body, Location header and Set-Cookie header any RecordingBrowser saw (for the token scan). */
export const seen: string[] = [];

/** Access and refresh tokens of the mock (and Google) look like these. */
export const TOKEN_PATTERNS = [/ya29\./, /1\/\//];

/** A TestBrowser that keeps a copy of every response body, Location and Set-Cookie header. */
export class RecordingBrowser extends TestBrowser {
  override async request(url: string | URL, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await super.request(url, init);
    const text = await res.text();
    seen.push(`${res.status} ${String(url)}\n${res.headers.get('location') ?? ''}\n${res.headers.getSetCookie().join('\n')}\n${text}`);
    const noBody = res.status === 204 || res.status === 304;
    return new Response(noBody ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
}

/** Asserts that no token shape appears in anything recorded so far (nor in `logs`, when given). */
export function assertNoTokensSeen(logs?: string): void {
  assert.ok(seen.length > 0, 'something was recorded');
  if (logs !== undefined) for (const re of TOKEN_PATTERNS) assert.ok(!re.test(logs), `token-like ${re} in the logs`);
  for (const entry of seen) {
    for (const re of TOKEN_PATTERNS) {
      assert.ok(!re.test(entry), `token-like ${re} in a response: ${entry.slice(0, 300)}`);
    }
  }
}

/** Signs `email` in (auto-approved) with a RecordingBrowser. */
export async function signIn(stack: Stack, email = ALICE): Promise<RecordingBrowser> {
  await stack.control('settings', { autoApprove: { email } });
  const b = new RecordingBrowser();
  const res = await b.follow(`${stack.baseUrl}/login?returnTo=%2F`);
  assert.equal(res.status, 200, `sign-in of ${email}`);
  return b;
}

/** Consents to a feature with the mock auto-approving everything asked; returns the page it lands on. */
export async function grantAll(stack: Stack, b: TestBrowser, featureId: string, returnTo = `/${featureId}`, email = ALICE): Promise<Response> {
  await stack.control('settings', { autoApprove: { email } });
  const res = await b.follow(`${stack.baseUrl}/consent/${featureId}?returnTo=${encodeURIComponent(returnTo)}`);
  return res;
}

/** Starts a consent in Scopewise and returns the mock's authorization URL it redirects to. */
export async function consentUrl(stack: Stack, b: TestBrowser, featureId: string, returnTo = `/${featureId}`): Promise<URL> {
  const res = await b.request(`${stack.baseUrl}/consent/${featureId}?returnTo=${encodeURIComponent(returnTo)}`);
  await res.arrayBuffer();
  assert.equal(res.status, 303, `consent for ${featureId}`);
  const url = new URL(res.headers.get('location')!);
  assert.equal(url.origin + url.pathname, `${stack.mockUrl}/o/oauth2/v2/auth`);
  return url;
}

/**
 * Drives the mock's real consent screen: follows the authorization URL (choosing `email` if the chooser
 * shows), then allows with only the `keep` scopes ticked. Returns the response of Scopewise's callback.
 */
export async function consentGranular(stack: Stack, b: TestBrowser, authUrl: URL, keep: string[], email = ALICE): Promise<Response> {
  await stack.control('settings', { autoApprove: null });
  let res = await b.request(authUrl);
  let html = await res.text();
  assert.equal(res.status, 200, `mock consent screen: ${res.status}`);
  if (/auth\/choose/.test(html) && !/auth\/consent/.test(html)) {
    res = await b.postForm(`${stack.mockUrl}/o/oauth2/v2/auth/choose`, { pending: hiddenInput(html, 'pending')!, csrf: hiddenInput(html, 'csrf')!, email });
    html = await res.text();
    assert.equal(res.status, 200);
  }
  assert.match(html, /auth\/consent/, 'the consent form shows');
  const form = new URLSearchParams({ pending: hiddenInput(html, 'pending')!, csrf: hiddenInput(html, 'csrf')!, action: 'allow' });
  for (const s of keep) form.append('scope', s);
  const back = await b.request(`${stack.mockUrl}/o/oauth2/v2/auth/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  assert.equal(back.status, 302, 'the mock redirects back');
  const cb = new URL(back.headers.get('location')!);
  assert.equal(cb.origin, stack.baseUrl);
  return b.request(cb);
}

export async function grantsAt(stack: Stack, email = ALICE): Promise<{ scopes: string[]; revoked: boolean; refreshTokens: number }> {
  return (await stack.control(`grants?email=${encodeURIComponent(email)}`)) as { scopes: string[]; revoked: boolean; refreshTokens: number };
}

export async function counts(stack: Stack): Promise<Record<string, number>> {
  return (await stack.control('counts')) as Record<string, number>;
}

/** GETs a Scopewise path (no redirect following) and returns status, body and location. */
export async function get(stack: Stack, b: TestBrowser, path: string): Promise<{ status: number; html: string; location: string | null }> {
  const res = await b.request(`${stack.baseUrl}${path}`);
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

/** Decodes the few HTML entities Eta escapes, for matching text. */
export function text(html: string): string {
  return html.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&#x2F;/g, '/').replace(/&amp;/g, '&');
}

/** The body rows of the first table in a page, each cell as plain text. */
export function rows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => text(c[1]!.replace(/<[^>]+>/g, '')).trim()),
  );
}

/** The href of the "Next page" link, decoded, if the page has one. */
export function nextPage(html: string): string | undefined {
  const m = /<a class="button" href="([^"]+)">Next page<\/a>/.exec(html);
  return m ? text(m[1]!) : undefined;
}

/** The hrefs of the links in a page (decoded). */
export function links(html: string): string[] {
  return [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => text(m[1]!));
}
