// Two Scopewise instances sharing Redis, no sticky sessions: whatever one knows, the other knows.
import { test, expect } from './fixtures.js';
import { atGoogle, grantAtGoogle } from './helpers.js';

const CLUSTER_MOCK = `http://127.0.0.1:${Number(process.env.E2E_MOCK_PORT ?? 4100) + 100}`;
const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
const A = `http://localhost:${APP_PORT + 101}`;
const B = `http://localhost:${APP_PORT + 102}`;

test.beforeEach(async () => {
  await fetch(`${CLUSTER_MOCK}/__control/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
});

test('sign in on instance A, grant and use a feature on instance B, and A sees it too', async ({ page }) => {
  // Sign-in and one consent at the mock Google, across two instances.
  test.setTimeout(60_000);
  await page.goto(`${A}/`);
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await atGoogle(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page.getByRole('heading', { name: 'Signed in as Alice Admin' })).toBeVisible();
  expect(page.url().startsWith(A)).toBe(true);

  await page.goto(`${B}/vms`);
  await expect(page.getByRole('link', { name: 'Grant access at Google' })).toBeVisible();
  await expect(page.getByText('alice@example.com').first()).toBeVisible();
  await grantAtGoogle(page);
  await expect(page.getByRole('row', { name: /web-1/ })).toContainText('RUNNING');
  expect(page.url().startsWith(B)).toBe(true);

  await page.goto(`${A}/vms`);
  await expect(page.getByRole('row', { name: /web-1/ })).toContainText('RUNNING');
  const me = await page.request.get(`${B}/me`);
  expect((await me.json()).scopes).toContain('https://www.googleapis.com/auth/compute.readonly');
});
