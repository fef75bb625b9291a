// Shared e2e helpers: the mock's test controls and a record of every authorization URL the browser visits.
import { expect, type Page } from '@playwright/test';

export const MOCK_URL = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? 4100}`;

export async function control(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(
    `${MOCK_URL}/__control/${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  if (!res.ok) throw new Error(`control ${path}: ${res.status}`);
  return res.json();
}

/** Records the scope parameter of every authorization request the page makes. */
export function recordAuthorizationScopes(page: Page): string[][] {
  const scopes: string[][] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname === '/o/oauth2/v2/auth' && req.isNavigationRequest()) {
      scopes.push((url.searchParams.get('scope') ?? '').split(' ').filter(Boolean));
    }
  });
  return scopes;
}

export async function chooseAccount(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/\/o\/oauth2\/v2\/auth/);
  await page.getByRole('button', { name: new RegExp(email.replace('.', '\\.')) }).click();
}

/** At the mock Google: picks the account if the chooser shows (it remembers the last one), then waits. */
export async function atGoogle(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/\/o\/oauth2\/v2\/auth/);
  const account = page.getByRole('button', { name: new RegExp(email.replace('.', '\\.')) });
  const allow = page.getByRole('button', { name: 'Allow' });
  await Promise.race([account.waitFor({ state: 'visible' }), allow.waitFor({ state: 'visible' })]);
  if (await account.isVisible()) await account.click();
}

/** Signs in through the real pages: account chooser, then (first time) the consent screen. */
export async function signIn(page: Page, email = 'alice@example.com', returnTo?: string): Promise<void> {
  await page.goto(returnTo ? `/login?returnTo=${encodeURIComponent(returnTo)}` : '/');
  if (!returnTo) await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await chooseAccount(page, email);
  const allow = page.getByRole('button', { name: 'Allow' });
  // Either the consent screen shows, or the mock goes straight back to Scopewise (nothing new asked).
  await Promise.race([allow.waitFor({ state: 'visible' }), page.waitForURL((u) => !u.href.startsWith(MOCK_URL))]);
  if (await allow.isVisible()) await allow.click();
}

/** On a feature page that asks for access: "Grant access at Google", then Allow at the mock Google. */
export async function grantAtGoogle(page: Page, email = 'alice@example.com'): Promise<void> {
  await page.getByRole('link', { name: 'Grant access at Google' }).click();
  await atGoogle(page, email);
  await page.getByRole('button', { name: 'Allow' }).click();
}
