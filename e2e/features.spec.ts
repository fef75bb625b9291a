import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { AxeBuilder } from '@axe-core/playwright';
import { control, recordAuthorizationScopes, signIn, atGoogle, grantAtGoogle } from './helpers.js';

const AUTH = 'https://www.googleapis.com/auth/';

test.beforeEach(async () => {
  await control('reset', {});
});

async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${name}: ${v.id} ${v.help}`)).toEqual([]);
}

/**
 * The non-sign-in scopes the mock's consent screen asks about: a checkbox each when there are several, or the one
 * scope listed without a checkbox (as Google shows a single scope: Allow or Cancel only).
 */
async function consentScopes(page: Page): Promise<{ scopes: string[]; checkboxes: number }> {
  await expect(page.getByRole('button', { name: 'Allow' })).toBeVisible();
  const boxes = await page
    .locator('input[type=checkbox][name=scope]')
    .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  if (boxes.length > 0) return { scopes: boxes, checkboxes: boxes.length };
  const listed = (await page.locator('ul.scopes code').allTextContents()).filter((s) => s.startsWith('https://'));
  return { scopes: listed, checkboxes: 0 };
}

test('VMs: viewing asks only compute.readonly; stopping asks only compute; the VM stops', async ({ page }) => {
  // The longest journey: sign-in, two consents at the mock Google, four accessibility scans, a VM stopped.
  // About 15 s on an idle machine; it hit the 30 s default when the machine was busy.
  test.setTimeout(90_000);
  const scopes = recordAuthorizationScopes(page);
  await signIn(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: 'Signed in as Alice Admin' })).toBeVisible();
  await expectAccessible(page, 'home');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Virtual machines' }).click();
  await expect(page.getByRole('heading', { name: 'Virtual machines' })).toBeVisible();
  await expect(page.getByText('View your Google Compute Engine resources')).toBeVisible();
  await expectAccessible(page, 'vms consent page');
  await page.getByRole('link', { name: 'Grant access at Google' }).click();
  await atGoogle(page, 'alice@example.com');
  expect(await consentScopes(page)).toEqual({ scopes: [`${AUTH}compute.readonly`], checkboxes: 0 });
  await page.getByRole('button', { name: 'Allow' }).click();

  const row = page.getByRole('row', { name: /web-1/ });
  await expect(row).toContainText('RUNNING');
  await expectAccessible(page, 'vm list');
  await row.getByRole('link', { name: 'Stop web-1' }).click();
  await expect(page.getByRole('heading', { name: 'Start and stop VMs' })).toBeVisible();
  await expect(page.getByText('View and manage your Google Compute Engine resources')).toBeVisible();
  await page.getByRole('link', { name: 'Grant access at Google' }).click();
  await atGoogle(page, 'alice@example.com');
  expect(await consentScopes(page)).toEqual({ scopes: [`${AUTH}compute`], checkboxes: 0 });
  await page.getByRole('button', { name: 'Allow' }).click();

  await expect(page.getByRole('heading', { name: 'Stop web-1?' })).toBeVisible();
  await expectAccessible(page, 'power confirmation');
  await control('operations', { pendingMs: 500, runningMs: 1500 });
  await page.getByRole('button', { name: 'Stop web-1' }).click();
  await expect(page.getByRole('heading', { name: 'Stop requested for web-1' })).toBeVisible();
  await expect(page.getByText('web-1 is now TERMINATED.')).toBeVisible();
  await page.getByRole('link', { name: /Back to the VMs/ }).click();
  await expect(page.getByRole('row', { name: /web-1/ })).toContainText('TERMINATED');

  // Every authorization URL asked for nothing beyond what the features used.
  expect(scopes).toEqual([
    ['openid', 'email', 'profile'],
    ['openid', `${AUTH}compute.readonly`],
    ['openid', `${AUTH}compute`],
  ]);
});

test('a declined scope (Cancel at Google): the feature names what is missing and offers to ask again; other features work', async ({
  page,
}) => {
  // Sign-in and two consents at the mock Google, one accessibility scan.
  test.setTimeout(60_000);
  const scopes = recordAuthorizationScopes(page);
  await signIn(page, 'alice@example.com');
  await page.goto('/vms');
  await grantAtGoogle(page);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible();

  await page.goto('/buckets');
  await page.getByRole('link', { name: 'Grant access at Google' }).click();
  await atGoogle(page, 'alice@example.com');
  // One scope: Google shows Allow and Cancel, no checkbox. Declining is Cancel.
  expect((await consentScopes(page)).checkboxes).toBe(0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Access was not granted' })).toBeVisible();

  await page.goto('/buckets');
  await expect(page.getByRole('heading', { name: 'Storage buckets' })).toBeVisible();
  await expect(page.getByText(/did not grant the access this feature needs/)).toBeVisible();
  await expect(page.getByText('View your data in Google Cloud Storage')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Grant access at Google' })).toBeVisible();
  await expectAccessible(page, 'missing scope page');

  await page.goto('/vms');
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible();
  expect(scopes.at(-1)).toEqual(['openid', `${AUTH}devstorage.read_only`]);
});

test('the account page lists what is granted, by whom it is used, and each feature state', async ({ page }) => {
  // Sign-in and one consent at the mock Google, one accessibility scan.
  test.setTimeout(60_000);
  await signIn(page, 'alice@example.com');
  await page.goto('/logs');
  await grantAtGoogle(page);
  await expect(page.getByRole('heading', { name: 'Logs' })).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();

  await page.getByRole('link', { name: 'Account', exact: true }).click();
  const granted = page.getByRole('row', { name: /logging\.read/ });
  await expect(granted).toContainText('View log data for your projects');
  await expect(granted).toContainText('Logs');
  await expect(page.getByRole('row', { name: /^Logs/ })).toContainText('Ready');
  await expect(page.getByRole('row', { name: /^Virtual machines/ })).toContainText('Needs your consent');
  await expectAccessible(page, 'account');
});

test('service accounts ask for iam (limited to the IAM API) and say what it allows; Workflows say Google offers only cloud-platform', async ({
  page,
}) => {
  await signIn(page, 'alice@example.com');
  await page.goto('/service-accounts');
  await expect(page.locator('ul.scopes code')).toHaveText(['iam']);
  await expect(page.getByText(/limited to IAM but not to reading/)).toBeVisible();
  await expect(page.getByText(/Google offers only a broad scope here/)).toHaveCount(0);
});

test('Google access removed at Google: the feature says so and one click grants it again', async ({ page }) => {
  // Sign-in and two consents at the mock Google.
  test.setTimeout(60_000);
  await control('settings', { accessTokenTtlSeconds: 1 });
  await signIn(page, 'alice@example.com');
  await page.goto('/vms');
  await grantAtGoogle(page);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible();

  await control('revoke-grant', { email: 'alice@example.com' });
  await control('settings', { accessTokenTtlSeconds: 3600 });
  // Once the 1 s access token is due for refresh, the refresh meets invalid_grant and the page says so.
  // Reload until it does (before that moment the page may still show the table).
  const removed = page.getByText('Google access was removed.');
  await expect(async () => {
    await page.goto('/vms');
    await expect(removed).toBeVisible({ timeout: 1_000 });
  }).toPass({ intervals: [250, 500, 1_000], timeout: 20_000 });
  expect((await page.request.get('/me')).status()).toBe(200);
  await grantAtGoogle(page);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible();
});

test('disconnect revokes the grant at Google and signs out', async ({ page }) => {
  // Sign-in and one consent at the mock Google, then a revocation.
  test.setTimeout(60_000);
  await signIn(page, 'alice@example.com');
  await page.goto('/logs');
  await grantAtGoogle(page);
  await expect(page.getByRole('heading', { name: 'Logs' })).toBeVisible();
  const before = (await control('grants?email=alice%40example.com')) as { scopes: string[]; revoked: boolean };
  expect(before.scopes).toContain(`${AUTH}logging.read`);

  await page.goto('/account');
  await page.getByRole('button', { name: 'Disconnect from Google' }).click();
  await expect(page.getByRole('link', { name: 'Sign in with Google' })).toBeVisible();
  const afterRevoke = (await control('grants?email=alice%40example.com')) as { scopes: string[]; revoked: boolean };
  expect(afterRevoke.revoked || afterRevoke.scopes.length === 0).toBe(true);
  expect((await page.request.get('/me')).status()).toBe(401);
});
