// Incremental consent over real HTTP against the mock Google: what /consent/<feature> asks for, least
// privilege end to end (view VMs, then stop one), granular consent (unticking a scope), and a broader scope
// granted earlier counting for a narrower feature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';
import { submitVmPower } from '../support/vm-power.js';
import { hiddenInput } from '../support/browser.js';
import {
  ALICE,
  AUTH,
  IDENTITY,
  sorted,
  RecordingBrowser,
  assertNoTokensSeen,
  links,
  rows,
  text,
} from '../support/index.js';

const stack = useStack();

test('consent start: the narrowest scope, incremental, offline, PKCE, fresh state and nonce, the user as login_hint', async () => {
  const b = await stack.signIn();
  const url = await stack.consentUrl(b, 'vms', '/vms');
  const p = url.searchParams;
  assert.equal(p.get('scope'), `openid ${AUTH}compute.readonly`);
  assert.equal(p.get('include_granted_scopes'), 'true');
  assert.equal(p.get('access_type'), 'offline');
  assert.equal(p.get('prompt'), 'consent', 'no refresh token is held yet: Google must issue one');
  assert.equal(p.get('login_hint'), ALICE);
  assert.equal(p.get('response_type'), 'code');
  assert.equal(p.get('client_id'), 'scopewise-test');
  assert.equal(p.get('redirect_uri'), `${stack.baseUrl}/auth/callback`);
  assert.equal(p.get('code_challenge_method'), 'S256');
  assert.match(p.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((p.get('state') ?? '').length >= 20);
  assert.ok((p.get('nonce') ?? '').length >= 20);
  for (const k of p.keys()) assert.equal(p.getAll(k).length, 1, `${k} is given once`);

  const again = await stack.consentUrl(b, 'vms', '/vms');
  assert.notEqual(again.searchParams.get('state'), p.get('state'), 'fresh state');
  assert.notEqual(again.searchParams.get('nonce'), p.get('nonce'), 'fresh nonce');
  assert.notEqual(again.searchParams.get('code_challenge'), p.get('code_challenge'), 'fresh PKCE verifier');

  await stack.control('settings', { autoApprove: { email: ALICE } });
  const landed = await b.follow(again);
  assert.equal(landed.status, 200);
  assert.equal(new URL(b.history.at(-1)!.url).pathname, '/vms');
  assert.equal((await stack.grants()).refreshTokens, 1);

  // A refresh token is held now: the next feature's consent does not force the consent screen again.
  const logs = await stack.consentUrl(b, 'logs', '/logs');
  assert.equal(logs.searchParams.get('scope'), `openid ${AUTH}logging.read`);
  assert.equal(logs.searchParams.get('prompt'), null);
  assert.equal(logs.searchParams.get('include_granted_scopes'), 'true');
  assert.equal(logs.searchParams.get('access_type'), 'offline');
  assert.equal(stack.logs.events('consent-asked').at(-1)?.feature, 'logs');
});

test('consent start refuses an unknown feature (400) and a repeated returnTo (400); an open redirect lands on /', async () => {
  const b = await stack.signIn();
  const unknown = await stack.get(b, '/consent/no-such-feature?returnTo=/vms');
  assert.equal(unknown.status, 400);
  assert.match(unknown.html, /No such feature/);
  const repeated = await stack.get(b, '/consent/vms?returnTo=/vms&returnTo=/logs');
  assert.equal(repeated.status, 400);
  assert.match(repeated.html, /returnTo/);
  const oversized = await stack.get(b, `/consent/vms?returnTo=/${'a'.repeat(3000)}`);
  assert.equal(oversized.status, 400);
  assert.equal((await stack.counts()).authorize ?? 0, 1, 'only the sign-in went to Google');

  for (const evil of ['//evil.example/x', 'https://evil.example', '/\\evil.example', '%2F%2Fevil.example']) {
    const fresh = await stack.signIn();
    const res = await stack.grant(fresh, 'vms', evil);
    assert.equal(res.status, 200, evil);
    const callback = fresh.history.find((h) => h.url.startsWith(`${stack.baseUrl}/auth/callback`));
    assert.equal(callback?.location, `${stack.baseUrl}/`, `${evil} lands on /`);
    assert.equal(fresh.history.at(-1)!.url, `${stack.baseUrl}/`);
  }
});

test('consent for a feature that is already ready goes straight back, without Google', async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  const before = await stack.counts();
  const res = await b.request(
    `${stack.baseUrl}/consent/vms?returnTo=${encodeURIComponent('/vms?project=acme-staging')}`,
  );
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/vms?project=acme-staging');
  const evil = await b.request(`${stack.baseUrl}/consent/vms?returnTo=${encodeURIComponent('//evil.example')}`);
  assert.equal(evil.headers.get('location'), '/');
  assert.equal((await stack.counts()).authorize, before.authorize, 'no authorization request');
});

test("consent without returnTo comes back to the feature's own page", async () => {
  const b = await stack.signIn();
  for (const [id, path] of [
    ['vm-power', '/vms'],
    ['logs', '/logs'],
    ['projects', '/projects'],
  ]) {
    await stack.control('settings', { autoApprove: { email: ALICE } });
    const res = await b.follow(`${stack.baseUrl}/consent/${id}`);
    assert.equal(res.status, 200, `${id} → ${b.history.at(-1)!.url}`);
    assert.equal(b.history.at(-1)!.url, `${stack.baseUrl}${path}`);
  }
});

test('consent start when signed out is a 401 page with a sign-in link', async () => {
  const b = new RecordingBrowser();
  const res = await stack.get(b, '/consent/vms?returnTo=/vms');
  assert.equal(res.status, 401);
  const signInLink = links(res.html).find((l) => l.startsWith('/login'));
  assert.ok(signInLink, 'a sign-in link');
  assert.equal(new URL(signInLink!, stack.baseUrl).searchParams.get('returnTo'), '/consent/vms?returnTo=/vms');
  assert.equal((await stack.counts()).authorize ?? 0, 0);
  for (const path of ['/vms', '/account', '/logs?project=acme-prod']) {
    assert.equal((await stack.get(b, path)).status, 401, path);
  }
});

test('least privilege end to end: viewing VMs holds compute.readonly only; stopping one asks for compute, with CSRF and an audit line', async () => {
  const b = await stack.signIn();
  assert.deepEqual((await stack.grants()).scopes, sorted(IDENTITY));
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  assert.deepEqual(
    (await stack.grants()).scopes,
    sorted([...IDENTITY, `${AUTH}compute.readonly`]),
    'the grant at Google holds only what viewing needs',
  );

  const vms = await stack.get(b, '/vms?project=acme-prod');
  const stopHref = links(vms.html).find((l) => l.includes('instance=web-1'));
  assert.equal(stopHref, '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop');

  // vm-power is not granted: its consent page shows, asking for compute; no redirect to Google.
  const authorizeBefore = (await stack.counts()).authorize;
  const gate = await stack.get(b, stopHref!);
  assert.equal(gate.status, 200);
  assert.equal(gate.location, null);
  assert.match(gate.html, /<code>compute<\/code>/);
  assert.match(text(gate.html), /View and manage your Google Compute Engine resources/);
  assert.equal((await stack.counts()).authorize, authorizeBefore);
  const grantHref = text(/href="([^"]+)">Grant access at Google/.exec(gate.html)![1]!);

  const auth = await b.request(new URL(grantHref, stack.baseUrl));
  assert.equal(auth.status, 303);
  const authUrl = new URL(auth.headers.get('location')!);
  assert.equal(authUrl.searchParams.get('scope'), `openid ${AUTH}compute`, 'asks only for compute');
  assert.equal(authUrl.searchParams.get('prompt'), null);
  await stack.control('settings', { autoApprove: { email: ALICE } });
  const confirm = await b.follow(authUrl);
  assert.equal(confirm.status, 200);
  assert.equal(b.history.at(-1)!.url, `${stack.baseUrl}${stopHref}`, 'back on the confirmation page');
  const confirmHtml = await confirm.text();
  assert.match(confirmHtml, /Stop web-1\?/);
  assert.deepEqual((await stack.grants()).scopes, sorted([...IDENTITY, `${AUTH}compute.readonly`, `${AUTH}compute`]));

  const form = {
    project: hiddenInput(confirmHtml, 'project')!,
    zone: hiddenInput(confirmHtml, 'zone')!,
    instance: hiddenInput(confirmHtml, 'instance')!,
    action: hiddenInput(confirmHtml, 'action')!,
  };
  assert.deepEqual(form, { project: 'acme-prod', zone: 'us-central1-a', instance: 'web-1', action: 'stop' });
  const csrf = hiddenInput(confirmHtml, '_csrf');
  assert.ok(csrf);

  // Without (or with a wrong) CSRF token nothing happens.
  assert.equal((await b.postForm(`${stack.baseUrl}/vms/power`, form)).status, 403);
  assert.equal((await b.postForm(`${stack.baseUrl}/vms/power`, { ...form, _csrf: 'forged' })).status, 403);
  const still = rows((await stack.get(b, '/vms?project=acme-prod')).html).find((r) => r[0] === 'web-1');
  assert.equal(still?.[2], 'RUNNING', 'a refused POST stopped nothing');
  assert.equal(stack.logs.events('feature-action').length, 0);

  const done = await b.postForm(`${stack.baseUrl}/vms/power`, { ...form, _csrf: csrf! });
  // The operation has a page of its own: a reload follows the operation, never sends the stop again.
  assert.equal(done.status, 303);
  const opUrl = new URL(done.headers.get('location')!, stack.baseUrl);
  assert.equal(opUrl.pathname, '/vms/operation');
  assert.match(opUrl.searchParams.get('operation') ?? '', /^operation-/);
  const opPage = await stack.get(b, opUrl.pathname + opUrl.search);
  assert.equal(opPage.status, 200);
  const doneHtml = text(opPage.html);
  assert.match(doneHtml, /Stop requested for web-1/);
  assert.match(doneHtml, /Google has finished stopping web-1\./);
  assert.match(doneHtml, /web-1 is now TERMINATED\./);
  assert.match(doneHtml, /<code>operation-[^<]+<\/code>/);
  assert.ok(links(doneHtml).includes('/vms?project=acme-prod'));

  const after = rows((await stack.get(b, '/vms?project=acme-prod')).html).find((r) => r[0] === 'web-1');
  assert.equal(after?.[2], 'TERMINATED');
  assert.match(after?.[4] ?? '', /Start web-1/);

  const actions = stack.logs.events('feature-action');
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.feature, 'vm-power');
  assert.equal(actions[0]!.action, 'stop');
  assert.equal(actions[0]!.project, 'acme-prod');
  assert.equal(actions[0]!.zone, 'us-central1-a');
  assert.equal(actions[0]!.instance, 'web-1');
  assert.equal(actions[0]!.result, 'DONE');
  assert.equal(actions[0]!.sub, '100000000000000000001');

  // Bad or repeated form values are a 400 page; nothing is sent to Google or audited.
  for (const bad of [
    { ...form, instance: 'Web_1' },
    { ...form, action: 'reboot' },
    { ...form, zone: 'us-central1' },
  ]) {
    const r = await b.postForm(`${stack.baseUrl}/vms/power`, { ...bad, _csrf: csrf! });
    assert.equal(r.status, 400, JSON.stringify(bad));
  }
  const repeated = new URLSearchParams({ ...form, _csrf: csrf! });
  repeated.append('instance', 'web-2');
  const rep = await b.request(`${stack.baseUrl}/vms/power`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: repeated.toString(),
  });
  assert.equal(rep.status, 400, 'a repeated field is refused');
  assert.equal(stack.logs.events('feature-action').length, 1);
  assert.equal((await b.request(`${stack.baseUrl}/vms/power`, { method: 'PUT' })).status, 405);

  // Starting it again works without a new consent.
  const authorizeNow = (await stack.counts()).authorize;
  const startPage = await stack.get(b, '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=start');
  assert.equal(startPage.status, 200);
  const started = await submitVmPower(stack, b, startPage.html, 'start');
  assert.equal(started.status, 303, 'on to the operation page');
  assert.equal(rows((await stack.get(b, '/vms?project=acme-prod')).html).find((r) => r[0] === 'web-1')?.[2], 'RUNNING');
  assert.equal((await stack.counts()).authorize, authorizeNow);
});

test('stopping a VM that the IAM role does not allow is a 403 page about the role, audited as failed', async () => {
  const b = await stack.signIn('bob@example.com');
  assert.equal(
    (
      await stack.grant(
        b,
        'vm-power',
        '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop',
        'bob@example.com',
      )
    ).status,
    200,
  );
  const page = await stack.get(b, '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop');
  const res = await submitVmPower(stack, b, page.html, 'stop');
  assert.equal(res.status, 403);
  const html = text(await res.text());
  assert.match(html, /missing IAM permission/);
  assert.ok(!links(html).some((l) => l.startsWith('/consent/')));
  const action = stack.logs.events('feature-action').at(-1)!;
  assert.equal(action.result, 'failed');
  assert.equal(action.instance, 'web-1');
});

test('declining at Google (Cancel on the one-scope screen) leaves the feature asking again as a page, no loop; earlier features keep working', async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);

  // One scope: Google shows Allow and Cancel, no checkbox.
  const screen = await stack.mockPage(b, `/consent/logs?returnTo=${encodeURIComponent('/logs?project=acme-prod')}`);
  assert.ok(!/type="checkbox"/.test(screen), 'no checkbox for a single scope');
  const cancelled = await stack.answerConsent(b, screen, 'cancel');
  assert.equal(cancelled.status, 400);
  assert.match(text(cancelled.html), /Access was not granted/);
  assert.ok(!(await stack.grants()).scopes.includes(`${AUTH}logging.read`), 'Google did not grant logging.read');

  const authorizeBefore = (await stack.counts()).authorize;
  const logs = await stack.get(b, '/logs?project=acme-prod');
  assert.equal(logs.status, 200, 'a page, not a redirect to Google');
  assert.equal(logs.location, null);
  const page = text(logs.html);
  assert.match(page, /did not grant/i, 'says the access was not granted');
  assert.match(page, /View log data for your projects/);
  assert.match(logs.html, /<code>logging\.read<\/code>/);
  assert.match(
    logs.html,
    /href="\/consent\/logs\?returnTo=%2Flogs%3Fproject%3Dacme-prod">Grant access at Google/,
    'offers to ask again',
  );
  assert.equal((await stack.counts()).authorize, authorizeBefore, 'no automatic trip to Google (no loop)');

  const vms = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(vms.status, 200);
  assert.equal(rows(vms.html).length, 4, 'VMs, granted earlier, keep working');

  // Asking again and allowing this time makes the feature work.
  const again = await stack.consentUrl(b, 'logs', '/logs?project=acme-prod');
  assert.equal(again.searchParams.get('scope'), `openid ${AUTH}logging.read`);
  const ok = await stack.consentGranular(b, again, []);
  assert.equal(ok.status, 303);
  const works = await stack.get(b, '/logs?project=acme-prod&range=24h');
  assert.equal(works.status, 200);
  const logTable = /<table class="log-table">[\s\S]*?<\/table>/.exec(works.html)?.[0] ?? '';
  assert.equal(rows(logTable).length, 50);
  assert.ok(!/did not grant/i.test(text(works.html)));
});

test('a broader scope granted earlier counts: after the Workflows review (cloud-platform), VMs and projects need no consent', async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'workload-workflows', '/workloads?project=acme-prod')).status, 200);
  assert.ok((await stack.grants()).scopes.includes(`${AUTH}cloud-platform`));
  const before = await stack.counts();
  const vms = await stack.get(b, '/vms?project=acme-prod');
  assert.equal(vms.status, 200);
  assert.equal(rows(vms.html).length, 4);
  const projects = await stack.get(b, '/projects');
  assert.equal(projects.status, 200);
  assert.equal(rows(projects.html).length, 4);
  const consent = await b.request(`${stack.baseUrl}/consent/vms?returnTo=%2Fvms`);
  assert.equal(consent.status, 303);
  assert.equal(consent.headers.get('location'), '/vms');
  assert.equal((await stack.counts()).authorize, before.authorize, 'nothing more was asked');
  assert.ok(!(await stack.grants()).scopes.includes(`${AUTH}compute.readonly`));
});

test('consent asks for confirmation unless the browser says the request came from Scopewise or was typed', async () => {
  const b = await stack.signIn();
  const go = async (site: string) => {
    const res = await b.request(`${stack.baseUrl}/consent/vms?returnTo=%2Fvms`, {
      headers: { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' },
    });
    return { status: res.status, location: res.headers.get('location'), html: text(await res.text()) };
  };
  for (const site of ['cross-site', 'same-site', '']) {
    const before = (await stack.counts()).authorize;
    const r = await go(site);
    assert.equal(r.status, 200, `sec-fetch-site=${site || '(missing)'}`);
    assert.match(r.html, /Continue to Google\?/);
    assert.match(r.html, /<form method="post" action="\/consent\/vms"/);
    assert.equal((await stack.counts()).authorize, before, 'not sent to Google');
  }
  for (const site of ['same-origin', 'none']) {
    const r = await go(site);
    assert.equal(r.status, 303, `sec-fetch-site=${site}`);
    assert.ok(r.location?.startsWith(`${stack.mockUrl}/o/oauth2/v2/auth`), r.location ?? '');
  }
});

test('the confirmation continues with its CSRF-protected form, also from a browser without Fetch Metadata', async () => {
  const b = await stack.signIn();
  const page = await b.request(`${stack.baseUrl}/consent/vms?returnTo=%2Fvms`, { headers: { 'sec-fetch-site': '' } });
  const html = await page.text();
  const token = hiddenInput(html, '_csrf')!;
  assert.ok(token);
  // A forged confirmation (no token) is refused; the real one goes to Google.
  assert.equal(
    (await b.postForm(`${stack.baseUrl}/consent/vms`, { returnTo: '/vms' }, { 'sec-fetch-site': '' })).status,
    403,
  );
  const res = await b.postForm(
    `${stack.baseUrl}/consent/vms`,
    { _csrf: token, returnTo: hiddenInput(html, 'returnTo')! },
    { 'sec-fetch-site': '' },
  );
  assert.equal(res.status, 303);
  assert.ok(res.headers.get('location')!.startsWith(`${stack.mockUrl}/o/oauth2/v2/auth`));
  // Cross-site POSTs are refused by Fetch Metadata before CSRF.
  assert.equal(
    (
      await b.postForm(
        `${stack.baseUrl}/consent/vms`,
        { _csrf: token, returnTo: '/vms' },
        { 'sec-fetch-site': 'cross-site' },
      )
    ).status,
    403,
  );
});

test('nothing in these pages, URLs, cookies or logs carries a token', () => {
  assertNoTokensSeen(stack.logs.text);
});
