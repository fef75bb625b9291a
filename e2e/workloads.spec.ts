// The workload identity review: one page, four sections, each asking only for its own access the first time it
// is opened, then showing what breaks Google's guidance in the fixture project.
import { test, expect } from './fixtures.js';
import { atGoogle, control, recordAuthorizationScopes, signIn } from './helpers.js';

const AUTH = 'https://www.googleapis.com/auth/';

test.beforeEach(async () => {
  await control('reset', {});
});

test('each section asks only for its own scopes, then shows its findings', async ({ page }) => {
  // Sign-in and four consents at the mock Google.
  test.setTimeout(90_000);
  const scopes = recordAuthorizationScopes(page);
  await signIn(page, 'alice@example.com');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workload identity' }).click();
  await page.getByLabel('Project ID').fill('acme-prod');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('heading', { name: 'Workload identity of acme-prod' })).toBeVisible();

  const section = (id: string) => page.locator(`section[data-section="${id}"]`);
  for (const id of ['vms', 'cloud-run', 'service-account-keys', 'workflows']) {
    await expect(section(id).getByRole('link', { name: /Grant access for/ })).toBeVisible();
  }

  // VMs: compute.readonly only.
  await section('vms')
    .getByRole('link', { name: /Grant access for/ })
    .click();
  await atGoogle(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(section('vms').getByRole('row', { name: /web-1/ })).toBeVisible();
  await expect(section('vms')).toContainText(/default service account/i);
  await expect(section('cloud-run').getByRole('link', { name: /Grant access for/ })).toBeVisible();

  // Cloud Run identities: run.readonly only; who may invoke is a separate, optional grant.
  await section('cloud-run')
    .getByRole('link', { name: /Grant access for/ })
    .click();
  await atGoogle(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(section('cloud-run').getByRole('row', { name: /frontend/ })).toContainText('not checked');
  await expect(section('cloud-run').getByRole('link', { name: 'Grant it for this check' })).toBeVisible();

  // Service-account keys: iam only.
  await section('service-account-keys')
    .getByRole('link', { name: /Grant access for/ })
    .click();
  await atGoogle(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(section('service-account-keys')).toContainText(/user-managed/i);

  // Workflows: cloud-platform (Google offers nothing narrower); it also makes the invoker check ready.
  await section('workflows')
    .getByRole('link', { name: /Grant access for/ })
    .click();
  await atGoogle(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(section('workflows').getByRole('row', { name: /vm-janitor/ })).toBeVisible();
  await expect(section('workflows')).toContainText(/cloud-platform/);
  await expect(section('cloud-run').getByRole('row', { name: /frontend/ })).toContainText('anyone on the internet');

  expect(scopes).toEqual([
    ['openid', 'email', 'profile'],
    ['openid', `${AUTH}compute.readonly`],
    ['openid', `${AUTH}run.readonly`],
    ['openid', `${AUTH}iam`],
    ['openid', `${AUTH}cloud-platform`],
  ]);

  // A project where the Workflows API is disabled: a clear line, not an error page.
  await page.getByLabel('Project ID').fill('acme-staging');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(section('workflows')).toContainText(/is not enabled in acme-staging/);
});
