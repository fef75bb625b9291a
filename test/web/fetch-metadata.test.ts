// Every state-changing route refuses requests that the browser says come from another site (cross-site and
// same-site), and lets same-origin requests and clients without Fetch Metadata through to the CSRF check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';
import { hiddenInput, type TestBrowser } from '../support/browser.js';

const stack = useStack();

interface PostRoute {
  path: string;
  /** Signs in and prepares whatever the route needs; returns the browser and the form to post (without _csrf). */
  setup(): Promise<{ b: TestBrowser; form: Record<string, string>; csrf: string }>;
  /** What a successful post answers. */
  ok: number;
}

async function csrfOf(b: TestBrowser, page = '/'): Promise<string> {
  return hiddenInput(await (await b.request(`${stack.baseUrl}${page}`)).text(), '_csrf')!;
}

const signedIn = async () => {
  const b = await stack.signIn('alice@example.com');
  return { b, form: {}, csrf: await csrfOf(b) };
};

const ROUTES: PostRoute[] = [
  { path: '/logout', setup: signedIn, ok: 303 },
  { path: '/disconnect', setup: signedIn, ok: 303 },
  { path: '/account/reduce', setup: signedIn, ok: 303 },
  { path: '/consent/vms', setup: async () => ({ ...(await signedIn()), form: { returnTo: '/vms' } }), ok: 303 },
  {
    path: '/vms/power',
    setup: async () => {
      const b = await stack.signIn('alice@example.com');
      await stack.grant(b, 'vm-power', '/vms');
      return {
        b,
        form: { project: 'acme-prod', zone: 'us-central1-a', instance: 'web-1', action: 'stop' },
        csrf: await csrfOf(b),
      };
    },
    // On to the operation's own page.
    ok: 303,
  },
];

for (const route of ROUTES) {
  for (const site of ['cross-site', 'same-site']) {
    test(`POST ${route.path} with Sec-Fetch-Site: ${site} is refused (403), even with a valid CSRF token`, async () => {
      const { b, form, csrf } = await route.setup();
      const res = await b.postForm(
        `${stack.baseUrl}${route.path}`,
        { ...form, _csrf: csrf },
        { 'sec-fetch-site': site },
      );
      assert.equal(res.status, 403);
      assert.match(await res.text(), /came from another site/);
      assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 200, 'still signed in: nothing changed');
    });
  }
  for (const site of ['same-origin', '']) {
    test(`POST ${route.path} with ${site ? `Sec-Fetch-Site: ${site}` : 'no Fetch Metadata'} passes to the CSRF check`, async () => {
      const { b, form, csrf } = await route.setup();
      const forged = await b.postForm(
        `${stack.baseUrl}${route.path}`,
        { ...form, _csrf: 'forged' },
        { 'sec-fetch-site': site },
      );
      assert.equal(forged.status, 403, 'a wrong token is refused');
      assert.match(await forged.text(), /expired or did not come from Scopewise/);
      const res = await b.postForm(
        `${stack.baseUrl}${route.path}`,
        { ...form, _csrf: csrf },
        { 'sec-fetch-site': site },
      );
      assert.equal(res.status, route.ok, `${route.path}: ${res.status}`);
      await res.arrayBuffer();
    });
  }
}
