// /account (what the session holds and why), "Reduce access" and /disconnect, over real HTTP against the
// mock Google.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';
import { hiddenInput } from '../support/browser.js';
import {
  ALICE,
  AUTH,
  IDENTITY,
  sorted,
  assertNoTokensSeen,
  links,
  rows,
  text,
  type RecordingBrowser,
} from '../support/index.js';

const stack = useStack();

/** The two tables of /account: scopes (short → row) and features (title → row). */
async function account(b: RecordingBrowser) {
  const { status, html } = await stack.get(b, '/account');
  assert.equal(status, 200);
  const tables = [...html.matchAll(/<table>[\s\S]*?<\/table>/g)].map((m) => m[0]);
  const scopes = new Map(rows(tables[0] ?? '').map((r) => [r[0]!, r]));
  const features = new Map(rows(tables[1] ?? '').map((r) => [r[0]!, r]));
  return { html, page: text(html), scopes, features };
}

/**
 * Adds `scope` to the user's grant for Scopewise's client straight at the mock (as an earlier version of
 * the app that asked for more would have). Google merges it into the grant, so the next consent's token
 * (include_granted_scopes) carries it too.
 */
async function grantOutsideScopewise(scope: string, email = ALICE): Promise<void> {
  await stack.control('settings', { autoApprove: { email } });
  const u = new URL(`${stack.mockUrl}/o/oauth2/v2/auth`);
  u.search = new URLSearchParams({
    client_id: 'scopewise-test',
    redirect_uri: `${stack.baseUrl}/auth/callback`,
    response_type: 'code',
    scope: `openid ${scope}`,
    state: 'elsewhere',
    include_granted_scopes: 'true',
  }).toString();
  const res = await fetch(u, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.ok(new URL(res.headers.get('location')!).searchParams.get('code'), 'the mock granted it');
}

/**
 * Alice signed in with Virtual machines and Logs granted and, added to her grant outside Scopewise before the
 * Logs consent, bigquery: a scope no feature asks for, which that consent brings into the session.
 */
async function signInHoldingExcessScope(): Promise<RecordingBrowser> {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  await grantOutsideScopewise(`${AUTH}bigquery`);
  // The next consent brings the whole grant (include_granted_scopes), bigquery included.
  assert.equal((await stack.grant(b, 'logs', '/account')).status, 200);
  return b;
}

test("the account page lists each granted scope with Google's description and the features that use it, and each feature's state", async () => {
  const b = await stack.signIn();
  let a = await account(b);
  assert.deepEqual(sorted([...a.scopes.keys()]), ['openid', 'userinfo.email', 'userinfo.profile']);
  for (const r of a.scopes.values()) assert.equal(r[2], 'Sign-in (who you are)');
  assert.equal(a.features.size, 12);
  for (const r of a.features.values()) assert.equal(r[1], 'Needs your consent');

  assert.equal((await stack.grant(b, 'vms', '/account')).status, 200);
  assert.equal((await stack.grant(b, 'logs', '/account')).status, 200);
  a = await account(b);
  const compute = a.scopes.get('compute.readonly');
  assert.ok(compute, 'compute.readonly is listed');
  assert.equal(compute[1], 'View your Google Compute Engine resources');
  // Start and stop VMs follows its operations with zoneOperations.get and instances.get, which compute.readonly
  // authorizes too: the scope serves those reads (the feature still asks for compute, for the stop itself).
  assert.equal(compute[2], 'Virtual machines, Start and stop VMs, Workload identity: VMs', 'every feature it serves');
  assert.equal(compute[3], 'Yes');
  assert.equal(a.scopes.get('logging.read')?.[1], 'View log data for your projects');
  assert.equal(a.scopes.get('logging.read')?.[2], 'Logs');
  assert.equal(a.features.get('Virtual machines')?.[1], 'Ready');
  assert.equal(a.features.get('Logs')?.[1], 'Ready');
  assert.equal(a.features.get('Start and stop VMs')?.[1], 'Needs your consent');
  assert.equal(a.features.get('Start and stop VMs')?.[2], 'compute');
  assert.equal(a.features.get('Service accounts')?.[2], 'iam');
  assert.equal(
    a.features.get('Workload identity: VMs')?.[1],
    'Ready',
    'the VM section of the review uses the same compute.readonly',
  );
  assert.ok(!/more access than its features use/.test(a.page), 'nothing excess');
  assert.ok(links(a.html).includes('/consent/vm-power?returnTo=%2Faccount'));
  assert.ok(!links(a.html).some((l) => l.startsWith('/consent/vms')), 'no grant link for a ready feature');

  // A broader scope shows which features it serves (the Workflows review asks cloud-platform: Google offers no other).
  assert.equal((await stack.grant(b, 'workload-workflows', '/account')).status, 200);
  a = await account(b);
  const cp = a.scopes.get('cloud-platform');
  assert.ok(cp);
  assert.match(cp[2]!, /Workload identity: Workflows/);
  assert.match(cp[2]!, /Virtual machines/);
  assert.equal(a.features.get('Projects')?.[1], 'Ready', 'cloud-platform makes projects ready too');
  assert.equal(a.features.get('Start and stop VMs')?.[1], 'Ready');
  assert.equal(a.features.get('Service accounts')?.[1], 'Ready');
});

test('every link on the account page leads to a page (no 404)', async () => {
  const b = await stack.signIn();
  await stack.grant(b, 'vms', '/account');
  const a = await account(b);
  const local = [
    ...new Set(
      links(a.html).filter((l) => l.startsWith('/') && !l.startsWith('/consent/') && !l.startsWith('/public/')),
    ),
  ];
  assert.ok(local.length >= 8);
  for (const href of local) {
    const { status } = await stack.get(b, href);
    assert.ok(status === 200, `${href} → ${status}`);
  }
});

test('a granted scope no feature asks for is excess: "Reduce access" (with CSRF) revokes and asks again for only what is used', async () => {
  const b = await signInHoldingExcessScope();
  let a = await account(b);
  const bq = a.scopes.get('bigquery');
  assert.ok(bq, 'bigquery is listed');
  assert.equal(bq[2], 'No feature');
  assert.equal(bq[3], 'No: broader than any feature needs');
  assert.match(a.page, /This session holds more access than its features use<\/strong> \(bigquery\)/);
  const csrf = hiddenInput(a.html, '_csrf')!;

  assert.equal((await b.postForm(`${stack.baseUrl}/account/reduce`, {})).status, 403);
  assert.equal((await b.postForm(`${stack.baseUrl}/account/reduce`, { _csrf: 'forged' })).status, 403);
  assert.equal((await stack.grants()).revoked, false, 'a refused POST revoked nothing');

  const res = await b.postForm(`${stack.baseUrl}/account/reduce`, { _csrf: csrf });
  assert.equal(res.status, 303);
  const authUrl = new URL(res.headers.get('location')!);
  assert.equal(authUrl.origin, stack.mockUrl);
  const asked = authUrl.searchParams.get('scope')!.split(' ');
  assert.ok(!asked.includes(`${AUTH}bigquery`), 'the excess is not asked again');
  assert.ok(
    asked.includes(`${AUTH}compute.readonly`) && asked.includes(`${AUTH}logging.read`),
    'what the ready features use is',
  );
  assert.ok(
    asked.includes('openid') && asked.includes('email') && asked.includes('profile'),
    'and who the user is (the revocation removed that too)',
  );
  assert.equal(authUrl.searchParams.get('prompt'), 'consent', 'the grant was revoked: a new refresh token is needed');
  const g = await stack.grants();
  assert.equal(g.revoked, true, 'the old grant is revoked at Google');
  assert.equal(g.refreshTokens, 0);
  assert.equal(stack.logs.events('reduce-access').at(-1)?.revoked, true);

  await stack.control('settings', { autoApprove: { email: ALICE } });
  const landed = await b.follow(authUrl);
  assert.equal(landed.status, 200);
  assert.equal(b.history.at(-1)!.url, `${stack.baseUrl}/account`);
  assert.deepEqual(
    (await stack.grants()).scopes,
    sorted([...IDENTITY, `${AUTH}compute.readonly`, `${AUTH}logging.read`]),
    'Google now holds only what is used (and who the user is)',
  );
  a = await account(b);
  assert.ok(!a.scopes.has('bigquery'));
  assert.ok(!/more access than its features use/.test(a.page));
  assert.equal(a.features.get('Virtual machines')?.[1], 'Ready');
  assert.equal(a.features.get('Logs')?.[1], 'Ready');
  assert.equal(rows((await stack.get(b, '/vms?project=acme-prod')).html).length, 4, 'VMs still work');
});

test('granular consent with several scopes (asking again after "Reduce access"): unticking one keeps the other', async () => {
  const b = await signInHoldingExcessScope();
  const csrf = hiddenInput((await account(b)).html, '_csrf')!;
  const res = await b.postForm(`${stack.baseUrl}/account/reduce`, { _csrf: csrf });
  const authUrl = new URL(res.headers.get('location')!);
  // Two feature scopes at once: Google shows a checkbox for each. The user keeps Compute and unticks Logging.
  const callback = await stack.consentGranular(b, authUrl, [`${AUTH}compute.readonly`]);
  assert.equal(callback.status, 303);
  const me = (await (await b.request(`${stack.baseUrl}/me`)).json()) as { scopes: string[] };
  assert.deepEqual(sorted(me.scopes), sorted([...IDENTITY, `${AUTH}compute.readonly`]));
  assert.equal((await stack.get(b, '/vms?project=acme-prod')).status, 200);
  const logs = await stack.get(b, '/logs?project=acme-prod');
  assert.equal(logs.status, 200, 'a consent page, not an error or a redirect');
  assert.match(logs.html, /<code>logging\.read<\/code>/);
  assert.match(logs.html, /Grant access at Google/);
});

test('"Reduce access" when Google does not confirm the revocation: says so, keeps the user signed in, and features ask again', async () => {
  const b = await signInHoldingExcessScope();
  const a = await account(b);
  await stack.control('inject', { endpoint: 'revoke', status: 503, times: 1 });
  const res = await b.postForm(`${stack.baseUrl}/account/reduce`, { _csrf: hiddenInput(a.html, '_csrf')! });
  assert.equal(res.status, 502);
  const page = text(await res.text());
  assert.match(page, /Google did not confirm the revocation/);
  assert.equal(res.headers.get('location'), null, 'not sent to Google');
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 200, 'still signed in');
  const vms = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(vms.status, 200);
  assert.match(vms.html, /Grant access at Google/, 'the dropped tokens are asked for again');
});

test('disconnect needs the CSRF token, revokes the grant at Google and ends the session', async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/account')).status, 200);
  const a = await account(b);
  const csrf = hiddenInput(a.html, '_csrf')!;
  assert.match(a.html, /action="\/disconnect"/);

  assert.equal((await b.postForm(`${stack.baseUrl}/disconnect`, {})).status, 403);
  assert.equal((await b.postForm(`${stack.baseUrl}/disconnect`, { _csrf: 'forged' })).status, 403);
  assert.equal(
    (await b.postForm(`${stack.baseUrl}/disconnect`, { _csrf: csrf }, { 'sec-fetch-site': 'cross-site' })).status,
    403,
  );
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 200, 'refused disconnects changed nothing');
  assert.equal((await stack.grants()).revoked, false);

  const res = await b.postForm(`${stack.baseUrl}/disconnect`, { _csrf: csrf });
  assert.equal(res.status, 303);
  assert.equal(new URL(res.headers.get('location')!, stack.baseUrl).pathname, '/');
  const g = await stack.grants();
  assert.equal(g.revoked, true);
  assert.deepEqual(g.scopes, []);
  assert.equal(g.refreshTokens, 0);
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 401);
  assert.equal((await stack.get(b, '/vms')).status, 401);
  const audit = stack.logs.events('disconnect').at(-1)!;
  assert.equal(audit.revoked, true);
});

test("disconnect when Google's revoke endpoint fails: signed out locally anyway, and told Google did not confirm", async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/account')).status, 200);
  const csrf = hiddenInput((await account(b)).html, '_csrf')!;
  await stack.control('inject', { endpoint: 'revoke', status: 503, times: 1 });
  const res = await b.postForm(`${stack.baseUrl}/disconnect`, { _csrf: csrf });
  assert.equal(res.status, 502);
  const page = text(await res.text());
  assert.match(page, /Google did not confirm/);
  assert.match(page, /Third-party access/);
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 401, 'signed out anyway');
  assert.equal(stack.logs.events('disconnect').at(-1)?.revoked, false);
  assert.equal((await stack.grants()).revoked, false, 'the grant is still there at Google (as the page says)');
});

test('account pages need a signed-in user', async () => {
  const b = await stack.signIn();
  const csrf = hiddenInput((await account(b)).html, '_csrf')!;
  const anon = new (b.constructor as new () => RecordingBrowser)();
  assert.equal((await stack.get(anon, '/account')).status, 401);
  assert.equal((await anon.postForm(`${stack.baseUrl}/disconnect`, { _csrf: csrf })).status, 401);
  assert.equal((await anon.postForm(`${stack.baseUrl}/account/reduce`, { _csrf: csrf })).status, 401);
  assert.equal((await b.request(`${stack.baseUrl}/me`)).status, 200);
  assert.equal((await stack.grants()).revoked, false);
});

test('nothing in these pages, URLs, cookies or logs carries a token', () => {
  assertNoTokensSeen(stack.logs.text);
});
