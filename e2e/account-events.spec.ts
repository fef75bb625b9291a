// Cross-Account Protection across two instances on Redis: Google (the mock) says the admin's sessions were
// revoked; the next page load on either instance is the sign-in page, and no instance holds a token of theirs.
import { createClient } from 'redis';
import { test, expect } from './fixtures.js';
import { atGoogle, grantAtGoogle } from './helpers.js';

const CLUSTER_MOCK = `http://127.0.0.1:${Number(process.env.E2E_MOCK_PORT ?? 4100) + 100}`;
const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
const A = `http://localhost:${APP_PORT + 101}`;
const B = `http://localhost:${APP_PORT + 102}`;
const REDIS = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

async function control(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${CLUSTER_MOCK}/__control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

test("sessions-revoked from Google ends the admin's session on every instance and leaves no token", async ({
  page,
  context,
}) => {
  test.setTimeout(60_000);
  await control('reset', {});
  await control('risc/stream', { url: `${A}/risc` });
  await page.goto(`${A}/`);
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await atGoogle(page, 'alice@example.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.goto(`${B}/vms`);
  await grantAtGoogle(page);
  await expect(page.getByRole('row', { name: /web-1/ })).toBeVisible();

  const cookie = (await context.cookies(B)).find((c) => c.name === 'scopewise');
  expect(cookie).toBeTruthy();
  const raw = decodeURIComponent(cookie!.value);
  const sid = raw.slice(2, raw.lastIndexOf('.'));
  const redis = createClient({ url: REDIS });
  await redis.connect();
  try {
    expect(await redis.exists(`scopewise:tokens:${sid}`)).toBe(1);
    // Google delivers the event to one instance (A); the session lives on both (shared Redis).
    const sent = await control('risc/send', { email: 'alice@example.com', type: 'sessions-revoked' });
    expect(sent.status).toBe(202);
    for (const base of [B, A]) {
      await page.goto(`${base}/vms`);
      await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
      await page.goto(`${base}/`);
      await expect(page.getByRole('link', { name: 'Sign in with Google' })).toBeVisible();
    }
    expect(await redis.exists(`scopewise:sess:${sid}`)).toBe(0);
    expect(await redis.exists(`scopewise:tokens:${sid}`)).toBe(0);
  } finally {
    await redis.close();
  }
});
