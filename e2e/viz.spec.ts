// The logs viewer, a VM stop followed to TERMINATED (with and without JavaScript), and the pictures with their
// text equivalents, in Chromium against the demo; axe on each page (no serious or critical violation).
import type { Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { test, expect } from './fixtures.js';
import { control, signIn, MOCK_URL } from './helpers.js';

test.beforeEach(async () => {
  await control('reset', {});
});

async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${name}: ${v.id} ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Grants features without the consent screen (the mock approves for alice), landing back on `path`. */
async function grant(page: Page, features: string[], path: string): Promise<void> {
  await control('settings', { autoApprove: { email: 'alice@example.com' } });
  for (const f of features) {
    await page.goto(`/consent/${f}?returnTo=${encodeURIComponent(path)}`);
    await page.waitForURL((u) => !u.href.startsWith(MOCK_URL) && !u.pathname.startsWith('/consent'));
  }
  await control('settings', { autoApprove: null });
}

async function noPageScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test('logs: a range, a payload opened, a filter error that keeps the filter; a histogram with its words', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signIn(page);
  await grant(page, ['logs'], '/logs?project=acme-prod');
  await page.goto('/logs?project=acme-prod');
  const chart = page.getByRole('img', { name: 'Log volume by severity, last hour' });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAccessibleDescription(/^\d+ log entries from /);
  await expectAccessible(page, 'logs');

  await page.getByRole('radio', { name: 'Last 24 hours' }).check();
  await page.getByRole('button', { name: 'Show entries' }).click();
  await expect(page).toHaveURL(/range=24h/);
  await expect(page.getByRole('img', { name: 'Log volume by severity, last 24 hours' })).toBeVisible();

  // A JSON payload is one line until opened.
  const folded = page.locator('details.log-details').first();
  await expect(folded.locator('pre')).toBeHidden();
  await folded.locator('summary').click();
  await expect(folded.locator('pre')).toBeVisible();
  await expect(folded.locator('pre')).toContainText('"latencyMs"');

  // A filter Google refuses: the page stays, the filter stays, Google's words and a way back.
  const filter = page.getByLabel('Filter');
  await filter.fill('severity>>>(');
  await page.getByRole('button', { name: 'Show entries' }).click();
  await expect(page.getByRole('alert')).toContainText('Google could not use this filter');
  await expect(page.getByRole('alert')).toContainText('Unparseable filter');
  await expect(page.getByLabel('Filter')).toHaveValue('severity>>>(');
  await expect(page.getByRole('radio', { name: 'Last 24 hours' })).toBeChecked();
  await expectAccessible(page, 'logs with a filter error');
  await page.getByLabel('Filter').fill('severity>=ERROR');
  await page.getByRole('button', { name: 'Show entries' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  for (const badge of await page.locator('.log-table__severity .badge').allTextContents())
    expect(['ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY']).toContain(badge);

  // On a phone: entries are cards, nothing scrolls the page sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/logs?project=acme-prod&range=24h');
  await expect(page.locator('.log-table tbody tr').first()).toBeVisible();
  expect(await noPageScroll(page)).toBe(true);
});

test("logs in the reader's time zone: Tokyo", async ({ browser }) => {
  test.setTimeout(60_000);
  const context = await browser.newContext({ timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  await signIn(page);
  await grant(page, ['logs'], '/logs?project=acme-prod');
  await page.goto('/logs?project=acme-prod');
  // public/tz.js tells Scopewise the zone and the page is written again in it, once.
  await expect(page.locator('[data-times-tz="Asia/Tokyo"]')).toBeAttached();
  await expect(page.locator('.logs-range-text')).toContainText('GMT+9');
  await context.close();
});

test('a VM stop is followed to TERMINATED without a reload (JavaScript)', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page);
  await grant(page, ['vms', 'vm-power'], '/vms?project=acme-prod');
  await control('operations', { pendingMs: 1000, runningMs: 3000 });
  await page.goto('/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop');
  await page.getByRole('button', { name: 'Stop web-1' }).click();
  await expect(page).toHaveURL(/\/vms\/operation\?/);
  await expect(page.getByRole('status')).toContainText(/Google has queued the stop of web-1|Google is stopping web-1/);
  await expectAccessible(page, 'operation in progress');
  let navigations = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await expect(page.getByText('web-1 is now TERMINATED.')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('status')).toHaveText('Google has finished stopping web-1.');
  await expect(page.locator('[aria-current="step"]')).toHaveCount(0);
  expect(navigations, 'the page was updated in place, never reloaded').toBe(0);
  await expectAccessible(page, 'operation done');
  await page.getByRole('link', { name: /Back to the VMs/ }).click();
  await expect(page.getByRole('row', { name: /web-1/ })).toContainText('TERMINATED');
});

test('a VM stop is followed to TERMINATED without JavaScript: the page reloads itself', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page);
  await grant(page, ['vm-power'], '/vms');
  await control('operations', { pendingMs: 1000, runningMs: 2500 });
  await page.goto('/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop');
  await page.getByRole('button', { name: 'Stop web-1' }).click();
  await expect(page).toHaveURL(/\/vms\/operation\?/);
  await expect(page.locator('noscript').first()).toBeAttached();
  let reloads = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) reloads++;
  });
  await expect(page.getByText('web-1 is now TERMINATED.')).toBeVisible({ timeout: 30_000 });
  expect(reloads, 'the meta refresh reloaded the page').toBeGreaterThan(0);
  await context.close();
});

test('the pictures: findings by severity, key ages, features × scopes, each with its text equivalent', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page);
  await grant(
    page,
    ['workload-vms', 'workload-cloud-run', 'workload-keys', 'workload-workflows', 'service-accounts'],
    '/workloads?project=acme-prod',
  );
  await page.goto('/workloads?project=acme-prod');
  const bar = page.getByRole('img', { name: 'Findings by severity for acme-prod' });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAccessibleDescription(/^\d+ findings: \d+ high/);
  await expect(page.getByRole('list', { name: 'Findings of acme-prod by severity' })).toBeVisible();
  await expect(page.getByRole('list', { name: /Findings of .*keys.* by severity/i })).toBeVisible();
  const ages = page.getByRole('img', { name: 'Age of user-managed keys, against 90 days' });
  await expect(ages).toHaveAccessibleDescription(/user-managed keys\. Older than 90 days: /);
  await expectAccessible(page, 'workload review');

  await page.goto('/service-accounts/deployer@acme-prod.iam.gserviceaccount.com/keys?project=acme-prod');
  await expect(
    page.getByRole('img', {
      name: 'Age of user-managed keys of deployer@acme-prod.iam.gserviceaccount.com, against 90 days',
    }),
  ).toHaveAccessibleDescription(/^2 user-managed keys\./);
  await expect(page.getByRole('columnheader', { name: 'Age' })).toBeVisible();
  await expectAccessible(page, 'keys');

  await page.goto('/account');
  const matrix = page.getByRole('img', { name: 'Scopes each feature asks for, shaded by breadth' });
  await expect(matrix).toHaveAccessibleDescription(
    /compute\.readonly \(read-only, held by this session\): Virtual machines/,
  );
  await expect(matrix).toHaveAccessibleDescription(/cloud-platform \(cloud-wide, held by this session\)/);
  await expect(page.getByText('Your Google access has no end: it lasts until you remove it.')).toBeVisible();
  await expectAccessible(page, 'account');
});
