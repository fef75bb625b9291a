import { test, expect } from './fixtures.js';
import { control, recordAuthorizationScopes, chooseAccount, atGoogle, signIn, MOCK_URL } from './helpers.js';

test.beforeEach(async () => {
  await control('reset', {});
});

test('an admin signs in with identity scopes only and sees who they are', async ({ page, context }) => {
  const scopes = recordAuthorizationScopes(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: /least privilege/i })).toBeVisible();
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await chooseAccount(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page.getByRole('heading', { name: 'Signed in as Alice Admin' })).toBeVisible();
  expect(scopes).toEqual([['openid', 'email', 'profile']]);
  expect(new URL(page.url()).search).toBe('');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'scopewise');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
  const html = await page.content();
  expect(html).not.toMatch(/ya29\.|1\/\/mock/);
  const me = await page.request.get('/me');
  expect((await me.json()).email).toBe('alice@example.com');
});

test('Cancel at the consent screen gives a friendly page and a way to try again', async ({ page }) => {
  await page.goto('/login');
  await chooseAccount(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Sign-in was cancelled' })).toBeVisible();
  await page.getByRole('link', { name: 'Try again' }).click();
  await atGoogle(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page.getByRole('heading', { name: 'Signed in as Alice Admin' })).toBeVisible();
});

test('a consumer account is refused and gets no session', async ({ page }) => {
  await signIn(page, 'carol@gmail.com');
  await expect(page.getByRole('heading', { name: 'This account may not use Scopewise' })).toBeVisible();
  const me = await page.request.get('/me');
  expect(me.status()).toBe(401);
});

test('a tampered state is refused', async ({ page }) => {
  // Rewrite the state in the mock's redirect back to Scopewise, as an attacker in the middle would.
  await page.route(`${MOCK_URL}/o/oauth2/v2/auth/**`, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    const location = response.headers()['location'];
    if (!location?.includes('/auth/callback')) return route.fulfill({ response });
    const url = new URL(location);
    url.searchParams.set('state', 'tampered');
    await route.fulfill({ response, headers: { ...response.headers(), location: url.href } });
  });
  await signIn(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: 'Sign-in could not be completed' })).toBeVisible();
  expect((await page.request.get('/me')).status()).toBe(401);
});

test('an open-redirect returnTo is refused: the user lands on Scopewise', async ({ page }) => {
  await signIn(page, 'alice@example.com', '//evil.example/phish');
  await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/$/);
  await expect(page.getByRole('heading', { name: 'Signed in as Alice Admin' })).toBeVisible();
});

test('sign out ends the session', async ({ page }) => {
  await signIn(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: 'Signed in as Alice Admin' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in with Google' })).toBeVisible();
  expect((await page.request.get('/me')).status()).toBe(401);
});
