// /account/verify: the live check calls each method of each granted feature once, harmlessly, and shows how
// Google (here the mock) answered; its JSON export is the vendored evidence format.
import { test, expect } from './fixtures.js';
import { control, signIn, grantAtGoogle } from './helpers.js';

test.beforeEach(async () => {
  await control('reset', {});
});

test('verify the granted scopes with Google, and download the evidence', async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, 'alice@example.com');
  await page.goto('/vms?project=acme-prod');
  await grantAtGoogle(page);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible();

  await page.goto('/account');
  await page.getByRole('link', { name: 'Verify with Google now' }).click();
  await page.getByLabel('Project ID to probe').fill('acme-prod');
  await page.getByRole('button', { name: 'Verify now' }).click();
  const row = page.getByRole('row', { name: /compute:v1:instances\.aggregatedList/ });
  await expect(row).toContainText('Accepted');
  // Features not granted are not probed: their methods are not in the table.
  await expect(page.getByRole('row', { name: /compute:v1:instances\.stop/ })).toHaveCount(0);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Verify and download as JSON' }).click();
  const file = await (await download).path();
  const { readFile } = await import('node:fs/promises');
  const evidence = JSON.parse(await readFile(file, 'utf8')) as {
    about: string;
    results: Array<{ method: string; outcome: string }>;
  };
  expect(
    evidence.results.some((r) => r.method === 'compute:v1:instances.aggregatedList' && r.outcome === 'accepted'),
  ).toBe(true);
});
