// When Google misbehaves or takes access away: an insufficient-scope 403, 5xx answers, an expired access
// token, a grant revoked at Google, a token endpoint that is down. The user sees a page that says what
// happened and what to do, never a 500, and stays signed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { useStack } from '../support/stack.js';
import { submitVmPower } from '../support/vm-power.js';
import { insufficientScopeBody } from '../support/google-errors.js';
import { ALICE, AUTH, assertNoTokensSeen, links, rows, text } from '../support/index.js';

const stack = useStack();

/** What Google answers when the token lacks the method's scope. */
const INSUFFICIENT_SCOPE = insufficientScopeBody(
  'compute.googleapis.com',
  'compute.v1.InstancesService.AggregatedList',
);

test("Google answering ACCESS_TOKEN_SCOPE_INSUFFICIENT shows the feature's consent page (403); granting again gets a fresh token from Google", async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  await stack.control('inject', { endpoint: 'api', status: 403, body: INSUFFICIENT_SCOPE, times: 1 });
  const res = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(res.status, 403);
  const page = text(res.html);
  assert.match(page, /<h1[^>]*>Virtual machines<\/h1>/);
  assert.match(page, /Google refused: this session lacks the access this feature needs/);
  assert.match(page, /<code>compute\.readonly<\/code>/);
  const grant = links(res.html).find((l) => l.startsWith('/consent/vms'));
  assert.ok(grant, 'offers to grant again');
  assert.equal(new URL(grant!, stack.baseUrl).searchParams.get('returnTo'), '/vms?project=acme-prod');

  // The session believes it holds compute.readonly, but Google said no: "Grant access" must go to Google
  // (not bounce straight back to the page that failed).
  const authorizeBefore = (await stack.counts()).authorize ?? 0;
  await stack.control('settings', { autoApprove: { email: ALICE } });
  const landed = await b.follow(new URL(grant!, stack.baseUrl));
  assert.equal((await stack.counts()).authorize, authorizeBefore + 1, 'went to Google for a fresh grant');
  assert.equal(landed.status, 200);
  assert.equal(b.history.at(-1)!.url, `${stack.baseUrl}/vms?project=acme-prod`);
  assert.equal(rows(await landed.text()).length, 4);
});

test('an insufficient scope on the stop POST shows the consent page whose link comes back to a page that works', async () => {
  const b = await stack.signIn();
  const confirmPath = '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop';
  assert.equal((await stack.grant(b, 'vm-power', confirmPath)).status, 200);
  const confirm = await stack.get(b, confirmPath);
  await stack.control('inject', { endpoint: 'api', status: 403, body: INSUFFICIENT_SCOPE, times: 1 });
  const res = await submitVmPower(stack, b, confirm.html, 'stop');
  assert.equal(res.status, 403);
  const html = await res.text();
  assert.match(text(html), /Google refused: this session lacks the access/);
  const grant = links(html).find((l) => l.startsWith('/consent/vm-power'));
  assert.ok(grant);
  await stack.control('settings', { autoApprove: { email: ALICE } });
  const landed = await b.follow(new URL(grant!, stack.baseUrl));
  assert.equal(landed.status, 200, `after consent the user lands on a working page (${b.history.at(-1)!.url})`);
  assert.equal(
    b.history.at(-1)!.url,
    `${stack.baseUrl}${confirmPath}`,
    'back on the confirmation page of the same action',
  );
  assert.match(text(await landed.text()), /Stop web-1\?/);
  const action = stack.logs.events('feature-action').at(-1)!;
  assert.equal(action.result, 'failed');
});

test('Google 5xx on a listing is retried; persistent 5xx is a clear 502 page', async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);

  // One 503: retried, the user notices nothing.
  let before = (await stack.counts()).api ?? 0;
  await stack.control('inject', { endpoint: 'api', status: 503, times: 1 });
  const ok = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(ok.status, 200);
  assert.equal(rows(ok.html).length, 4);
  assert.equal((await stack.counts()).api, before + 2, 'one retry');

  // Google keeps failing: a few attempts, then a 502 page.
  before = (await stack.counts()).api ?? 0;
  await stack.control('inject', { endpoint: 'api', status: 500, times: 10 });
  const bad = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(bad.status, 502);
  const page = text(bad.html);
  assert.match(page, /Google is unavailable right now/);
  assert.match(page, /Nothing was changed/);
  const attempts = ((await stack.counts()).api ?? 0) - before;
  assert.ok(attempts >= 2 && attempts <= 6, `retried a bounded number of times (${attempts})`);
  await stack.control('reset', {});
});

test('Google 5xx on a stop is not retried (it changes things) and is a 502 page; the audit says failed', async () => {
  const b = await stack.signIn();
  const confirmPath = '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop';
  assert.equal((await stack.grant(b, 'vm-power', confirmPath)).status, 200);
  const confirm = await stack.get(b, confirmPath);
  const before = (await stack.counts())['api:compute:v1:instances.stop'] ?? 0;
  await stack.control('inject', { endpoint: 'api:compute:v1:instances.stop', status: 503, times: 5 });
  const res = await submitVmPower(stack, b, confirm.html, 'stop');
  assert.equal(res.status, 502);
  assert.match(text(await res.text()), /Google is unavailable right now/);
  assert.equal((await stack.counts())['api:compute:v1:instances.stop'], before + 1, 'sent once');
  assert.equal(stack.logs.events('feature-action').at(-1)?.result, 'failed');
});

test('an expired access token is refreshed without the user noticing', async () => {
  await stack.control('settings', { accessTokenTtlSeconds: 1 });
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  await sleep(1500);
  const before = (await stack.counts()).refresh ?? 0;
  const res = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(res.status, 200);
  assert.equal(rows(res.html).length, 4);
  assert.equal((await stack.counts()).refresh, before + 1);
});

test('the grant revoked at Google: the feature page says access was removed and offers to grant again; the user stays signed in', async () => {
  await stack.control('settings', { accessTokenTtlSeconds: 1 });
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  await sleep(1500);
  await stack.control('revoke-grant', { email: ALICE });

  const res = await stack.get(b, '/vms?project=acme-prod');
  assert.ok(res.status === 200 || res.status === 403, `a page, not an error (${res.status})`);
  assert.equal(res.location, null, 'no redirect to Google');
  const page = text(res.html);
  assert.match(page, /Google access was removed/);
  const grant = links(res.html).find((l) => l.startsWith('/consent/vms'));
  assert.ok(grant, 'offers to grant again');
  assert.equal(stack.logs.events('grant-lost').length, 1);

  const me = await b.request(`${stack.baseUrl}/me`);
  assert.equal(me.status, 200, 'still signed in');
  assert.deepEqual(((await me.json()) as { scopes: string[] }).scopes, [], 'holds no Google access any more');

  // Other features say the same; the account page too.
  const logs = text((await stack.get(b, '/logs?project=acme-prod')).html);
  assert.match(logs, /Google access was removed/);
  const account = text((await stack.get(b, '/account')).html);
  assert.match(account, /Google access was removed/);

  // Granting again works (Google must issue a new refresh token: prompt=consent).
  const again = await b.request(new URL(grant!, stack.baseUrl));
  const authUrl = new URL(again.headers.get('location')!);
  assert.equal(authUrl.searchParams.get('prompt'), 'consent');
  assert.deepEqual(
    authUrl.searchParams.get('scope')!.split(' ').sort(),
    ['email', `${AUTH}compute.readonly`, 'openid', 'profile'],
    "the feature's scope, and who the user is (the revoked grant lost that too)",
  );
  await stack.control('settings', { autoApprove: { email: ALICE } });
  const landed = await b.follow(authUrl);
  assert.equal(landed.status, 200);
  assert.equal(rows(await landed.text()).length, 4);
  assert.ok(!/Google access was removed/.test(text((await stack.get(b, '/account')).html)), 'the notice is gone');
  assert.deepEqual((await stack.grants()).scopes, [
    `${AUTH}compute.readonly`,
    `${AUTH}userinfo.email`,
    `${AUTH}userinfo.profile`,
    'openid',
  ]);
});

test('the grant revoked at Google while the access token is still valid: same page, no 500', async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'buckets', '/buckets?project=acme-prod')).status, 200);
  await stack.control('revoke-grant', { email: ALICE });
  const res = await stack.get(b, '/buckets?project=acme-prod');
  assert.ok(res.status === 200 || res.status === 403, `${res.status}`);
  assert.match(text(res.html), /Google access was removed/);
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 200);
});

test('the token endpoint down during a refresh: a 503 page that keeps access; the next try works', async () => {
  await stack.control('settings', { accessTokenTtlSeconds: 1 });
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  await sleep(1500);
  await stack.control('inject', { endpoint: 'token', status: 503, times: 1 });
  const res = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(res.status, 503);
  assert.match(text(res.html), /access was kept/);
  const ok = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(ok.status, 200);
  assert.equal(rows(ok.html).length, 4);
});

test('nothing in these pages, URLs, cookies or logs carries a token', () => {
  assertNoTokensSeen(stack.logs.text);
});
