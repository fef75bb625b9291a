// Helpers for the app-level mock-fidelity tests (built on test/helpers/stack.ts only).
import assert from 'node:assert/strict';
import { hiddenInput, StopAt, type TestBrowser } from '../helpers/browser.js';
import type { Stack } from '../helpers/stack.js';

export const A = 'https://www.googleapis.com/auth/';
export const ALICE = 'alice@example.com';

/** Consents to a feature with the mock auto-approving; returns the page Scopewise lands on. */
export async function consentAuto(stack: Stack, b: TestBrowser, featureId: string, returnTo: string): Promise<{ status: number; html: string }> {
  await stack.control('settings', { autoApprove: { email: ALICE } });
  const res = await b.follow(`${stack.baseUrl}/consent/${featureId}?returnTo=${encodeURIComponent(returnTo)}`);
  return { status: res.status, html: await res.text() };
}

export async function get(stack: Stack, b: TestBrowser, path: string): Promise<{ status: number; html: string }> {
  const res = await b.follow(`${stack.baseUrl}${path}`);
  return { status: res.status, html: await res.text() };
}

/** The href of the "Grant access at Google" link of a consent-needed page, HTML-unescaped. */
export function grantLink(html: string): string | undefined {
  const m = /<a class="button primary" href="([^"]+)">Grant access at Google<\/a>/.exec(html);
  return m?.[1]?.replace(/&amp;/g, '&').replace(/&#x2F;/gi, '/').replace(/&#x3D;/gi, '=').replace(/&#x3F;/gi, '?');
}

/** Follows Scopewise's consent redirect up to the mock's page (not auto-approved) and returns its HTML. */
export async function mockConsentPage(stack: Stack, b: TestBrowser, path: string): Promise<string> {
  await stack.control('settings', { autoApprove: null });
  const res = await b.follow(`${stack.baseUrl}${path}`);
  assert.equal(res.status, 200, 'the mock shows a page');
  return res.text();
}

/** Clicks Allow (or Cancel) on the mock's consent page; returns the final page in Scopewise. */
export async function answerConsent(stack: Stack, b: TestBrowser, html: string, action: 'allow' | 'cancel', scopes: string[] = []): Promise<{ status: number; html: string }> {
  const form: Record<string, string> = { pending: hiddenInput(html, 'pending') ?? '', csrf: hiddenInput(html, 'csrf') ?? '', action };
  const body = new URLSearchParams(form);
  for (const s of scopes) body.append('scope', s);
  const back = await b.request(`${stack.mockUrl}/o/oauth2/v2/auth/consent`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
  assert.equal(back.status, 302);
  const res = await b.follow(new URL(back.headers.get('location') ?? '', stack.mockUrl));
  return { status: res.status, html: await res.text() };
}

/** Starts a sign-in and stops at the mock's authorization URL; returns it (its `state` is a live transaction). */
export async function authorizationUrl(stack: Stack, b: TestBrowser): Promise<URL> {
  try {
    await b.follow(`${stack.baseUrl}/login?returnTo=%2F`, 10, (u) => u.origin === stack.mockUrl);
  } catch (err) {
    if (err instanceof StopAt) return err.url;
    throw err;
  }
  throw new Error('sign-in did not go to the mock');
}
