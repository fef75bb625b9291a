// The feature pages over real HTTP against the mock Google: before consent each shows what it would ask for
// (and never sends the user to Google by itself); after consent each lists the mock's fixture data; bad input
// is a 400 page, never a 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { CATALOGUE, loadDiscovery, scopeDescription, shortScope } from '../../src/scopes/index.js';
import { AUTH, assertNoTokensSeen, links, nextPage, rows, text, type RecordingBrowser } from '../support/index.js';
import { NO_DESCRIPTION } from '../../src/features/engine.js';

let stack: Stack;
let b: RecordingBrowser;
const discovery = loadDiscovery();

before(async () => {
  stack = await startStack();
  await stack.control('reset', {});
  b = await stack.signIn();
});
after(async () => {
  await stack?.close();
});

/** GET `path` as the signed-in user; it must answer 200. */
async function openPage(path: string) {
  const page = await stack.get(b, path);
  assert.equal(page.status, 200, path);
  return page;
}
/** Follow the page's "Next page" link, which must be there. */
function openNextPage(page: { html: string }) {
  const next = nextPage(page.html);
  assert.ok(next, 'a "Next page" link');
  return openPage(next!);
}
/** Grant feature `id` through its consent page, back on `path`, then open `path`. */
async function grantAndOpen(id: string, path: string) {
  assert.equal((await stack.grant(b, id, path)).status, 200);
  return openPage(path);
}

const PAGES: Record<string, string> = {
  projects: '/projects',
  vms: '/vms?project=acme-prod',
  buckets: '/buckets?project=acme-prod',
  logs: '/logs?project=acme-prod',
  'cloud-run': '/cloud-run?project=acme-prod&region=us-central1',
  'service-accounts': '/service-accounts?project=acme-prod',
};

test("before consent, each feature page shows its consent page with only its scope, in Google's words", async () => {
  const authorizeBefore = (await stack.counts()).authorize ?? 0;
  for (const [id, path] of Object.entries(PAGES)) {
    const feature = CATALOGUE.find((f) => f.id === id)!;
    const { status, html, location } = await stack.get(b, path);
    assert.equal(status, 200, `${path} answers 200`);
    assert.equal(location, null, `${path} does not redirect`);
    const page = text(html);
    assert.match(page, new RegExp(`<h1[^>]*>${feature.title}</h1>`), path);
    const listed = [...html.matchAll(/<ul class="scopes">([\s\S]*?)<\/ul>/g)].map((m) => m[1]!).join('');
    const items = [...listed.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1]!));
    assert.equal(items.length, 1, `${id} lists exactly one scope`);
    const [scope] = feature.scopes;
    const description = scopeDescription(discovery, scope!) ?? NO_DESCRIPTION;
    assert.ok(items[0]!.includes(description!), `${id} shows Google's description: ${items[0]}`);
    assert.ok(items[0]!.includes(`<code>${shortScope(scope!)}</code>`), `${id} shows ${shortScope(scope!)}`);
    assert.ok(!page.includes(`${AUTH}`), 'only short scope names and descriptions are shown');
    assert.ok(!/did not grant|was removed|Google refused/.test(page), 'no notice before anything was asked');
    const grant = /<a class="button primary" href="([^"]+)">Grant access at Google<\/a>/.exec(html);
    assert.ok(grant, `${id} offers "Grant access at Google"`);
    const href = new URL(text(grant[1]!), stack.baseUrl);
    assert.equal(href.pathname, `/consent/${id}`);
    assert.equal(href.searchParams.get('returnTo'), path, 'after consent the user comes back to this page');
  }
  assert.equal((await stack.counts()).authorize ?? 0, authorizeBefore, 'no page went to Google by itself');
});

test('service accounts asks iam (limited to the IAM API) and says what it allows; projects asks cloud-platform.read-only and says why', async () => {
  const sa = text((await stack.get(b, '/service-accounts')).html);
  assert.match(sa, /<code>iam<\/code>/);
  assert.match(sa, /What this scope allows\./);
  assert.match(sa, /limited to IAM but not to reading/);
  assert.ok(!/Google offers only a broad scope/.test(sa), 'no broad-only warning: iam is not cloud-wide');
  assert.ok(!/<code>cloud-platform<\/code>/.test(sa));
  const projects = text((await stack.get(b, '/projects')).html);
  assert.match(projects, /<code>cloud-platform\.read-only<\/code>/);
  assert.ok(!/<code>cloud-platform<\/code>/.test(projects), 'projects never asks for the read-write cloud-platform');
});

test('sub-pages of a feature show the same consent page before consent', async () => {
  for (const [path, id] of [
    ['/projects/acme-prod/iam', 'projects'],
    ['/buckets/acme-data-lake', 'buckets'],
    ['/service-accounts/deployer@acme-prod.iam.gserviceaccount.com/keys?project=acme-prod', 'service-accounts'],
    ['/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop', 'vm-power'],
  ] as const) {
    const { status, html } = await stack.get(b, path);
    assert.equal(status, 200, path);
    const href = /href="([^"]+)">Grant access at Google/.exec(html)?.[1];
    assert.ok(href, path);
    const u = new URL(text(href), stack.baseUrl);
    assert.equal(u.pathname, `/consent/${id}`);
    assert.equal(u.searchParams.get('returnTo'), path);
  }
});

test('after consent, /vms lists the instances of acme-prod with their status', async () => {
  const landed = await stack.grant(b, 'vms', '/vms?project=acme-prod');
  assert.equal(landed.status, 200);
  const html = landed.html;
  const table = rows(html);
  const byName = new Map(table.map((r) => [r[0], r]));
  assert.deepEqual([...byName.keys()].sort(), ['db-eu-1', 'web-1', 'web-2', 'worker-1']);
  assert.equal(byName.get('web-1')![1], 'us-central1-a');
  assert.equal(byName.get('web-1')![2], 'RUNNING');
  assert.equal(byName.get('worker-1')![2], 'TERMINATED');
  assert.equal(byName.get('db-eu-1')![1], 'europe-west1-b');
  assert.match(byName.get('web-1')![4]!, /Stop web-1/);
  assert.match(byName.get('worker-1')![4]!, /Start worker-1/);
  // The project is remembered for the next visit.
  const again = rows((await stack.get(b, '/vms')).html);
  assert.equal(again.length, 4);
  const staging = rows((await stack.get(b, '/vms?project=acme-staging')).html)
    .map((r) => r[0])
    .sort();
  assert.deepEqual(staging, ['staging-batch-1', 'staging-web-1']);
});

test('after consent, /projects lists the acme projects and their IAM policies; a missing IAM role is a 403 that is not about consent', async () => {
  assert.equal((await stack.grant(b, 'projects')).status, 200);
  const { status, html } = await stack.get(b, '/projects');
  assert.equal(status, 200);
  const ids = rows(html)
    .map((r) => r[0])
    .sort();
  assert.deepEqual(ids, ['acme-data', 'acme-prod', 'acme-sandbox', 'acme-staging']);
  assert.ok(links(html).includes('/projects/acme-prod/iam'));

  const iam = await openPage('/projects/acme-prod/iam');
  const bindings = new Map(rows(iam.html).map((r) => [r[0], r[1]]));
  assert.equal(bindings.get('roles/owner'), 'user:alice@example.com');
  assert.match(bindings.get('roles/viewer')!, /user:bob@example\.com/);
  assert.match(bindings.get('roles/logging.viewer')!, /log-reader@acme-prod/);

  const authorizeBefore = (await stack.counts()).authorize ?? 0;
  const sandbox = await stack.get(b, '/projects/acme-sandbox/iam');
  assert.equal(sandbox.status, 403);
  const page = text(sandbox.html);
  assert.match(page, /IAM/);
  assert.match(page, /role/);
  assert.match(page, /Scopewise has the access you granted/);
  assert.ok(!links(sandbox.html).some((l) => l.startsWith('/consent/')), 'no consent is offered for an IAM refusal');
  assert.equal((await stack.counts()).authorize ?? 0, authorizeBefore);
});

test("after consent, /buckets lists a project's buckets and a bucket's folders and objects", async () => {
  const prod = rows((await grantAndOpen('buckets', '/buckets?project=acme-prod')).html)
    .map((r) => r[0])
    .sort();
  assert.deepEqual(prod, ['acme-prod-assets', 'acme-prod-backups']);
  const data = await stack.get(b, '/buckets?project=acme-data');
  assert.ok(links(data.html).includes('/buckets/acme-data-lake'));

  const lake = await openPage('/buckets/acme-data-lake');
  const top = rows(lake.html);
  assert.deepEqual(
    top.map((r) => r[0]),
    ['curated/', 'raw/', 'README.md'],
    'folders first, then objects',
  );
  assert.equal(top.find((r) => r[0] === 'raw/')![1], 'folder');
  const raw = await openPage('/buckets/acme-data-lake?prefix=raw%2F');
  const days = rows(raw.html).map((r) => r[0]);
  assert.equal(days.length, 30);
  assert.equal(days[0], 'raw/2025-05-01/');
  const day = rows((await stack.get(b, '/buckets/acme-data-lake?prefix=raw%2F2025-05-01%2F')).html);
  assert.equal(day.length, 50);
  assert.match(day[0]![0]!, /^raw\/2025-05-01\/events-0000\.json$/);
  assert.match(day[0]![1]!, /KiB$/);

  const missing = await stack.get(b, '/buckets/no-such-bucket-anywhere');
  assert.equal(missing.status, 404);
});

test('after consent, /cloud-run lists the services of a project in a region', async () => {
  const us = await grantAndOpen('cloud-run', '/cloud-run?project=acme-prod&region=us-central1');
  assert.deepEqual(
    rows(us.html)
      .map((r) => r[0])
      .sort(),
    ['api', 'frontend'],
  );
  const eu = await stack.get(b, '/cloud-run?project=acme-prod&region=europe-west1');
  assert.deepEqual(
    rows(eu.html).map((r) => r[0]),
    ['api-eu'],
  );
  const none = await openPage('/cloud-run?project=acme-sandbox&region=us-central1');
  assert.equal(rows(none.html).length, 0);
  assert.match(none.html, /No Cloud Run services in acme-sandbox/);
});

test('after consent, /service-accounts pages through all 23 accounts and shows the keys of one', async () => {
  const first = await grantAndOpen('service-accounts', '/service-accounts?project=acme-prod');
  const page1 = rows(first.html);
  assert.equal(page1.length, 20);
  const second = await openNextPage(first);
  const page2 = rows(second.html);
  assert.equal(page2.length, 3);
  assert.equal(nextPage(second.html), undefined, 'no third page');
  const emails = new Set([...page1, ...page2].map((r) => r[0]));
  assert.equal(emails.size, 23);
  assert.ok(emails.has('deployer@acme-prod.iam.gserviceaccount.com'));
  assert.ok(emails.has('123456789012-compute@developer.gserviceaccount.com'));
  const svc13 = [...page1, ...page2].find((r) => r[0] === 'svc-13@acme-prod.iam.gserviceaccount.com');
  assert.equal(svc13?.[2], 'yes', 'svc-13 is disabled');

  const keysHref = links(first.html).find((l) => l.startsWith('/service-accounts/deployer%40acme-prod'));
  assert.ok(keysHref, 'each account links to its keys');
  const keys = await openPage(keysHref!);
  const types = rows(keys.html)
    .map((r) => r[1])
    .sort();
  assert.deepEqual(types, ['SYSTEM_MANAGED', 'USER_MANAGED', 'USER_MANAGED']);
  const plain = await stack.get(
    b,
    '/service-accounts/deployer@acme-prod.iam.gserviceaccount.com/keys?project=acme-prod',
  );
  assert.equal(plain.status, 200);
  const compute = await stack.get(
    b,
    '/service-accounts/123456789012-compute@developer.gserviceaccount.com/keys?project=acme-prod',
  );
  assert.equal(compute.status, 200, 'the default compute service account works too');

  const sandbox = await stack.get(b, '/service-accounts?project=acme-sandbox');
  assert.equal(sandbox.status, 403, 'alice lacks the IAM role on acme-sandbox');
  assert.ok(!links(sandbox.html).some((l) => l.startsWith('/consent/')));
});

test('an unknown project is a 404 page', async () => {
  for (const path of [
    '/vms?project=no-such-project',
    '/buckets?project=no-such-project',
    '/logs?project=no-such-project',
    '/service-accounts?project=no-such-project',
    '/projects/no-such-project/iam',
    '/cloud-run?project=no-such-project&region=us-central1',
  ]) {
    const { status, html } = await stack.get(b, path);
    assert.equal(status, 404, path);
    const page = text(html);
    assert.match(page, /<h1[^>]*>Not found<\/h1>/, path);
    assert.match(page, /Check the name and the project/, path);
    assert.ok(!links(html).some((l) => l.startsWith('/consent/')), 'not a consent problem');
  }
});

test('invalid, repeated and oversized input is a 400 page, never a 500', async () => {
  const long = 'a'.repeat(5000);
  const bad = [
    '/vms?project=Bad!',
    '/vms?project=ab',
    '/vms?project=acme-prod&project=acme-data',
    `/vms?project=${long}`,
    '/vms?project=acme-prod&pageToken=%3Cscript%3E',
    `/vms?project=acme-prod&pageToken=${long}`,
    '/buckets?project=-acme',
    '/buckets/UPPER_CASE',
    `/buckets/${'b'.repeat(300)}`,
    '/buckets/acme-data-lake?prefix=a&prefix=b',
    `/buckets/acme-data-lake?prefix=${long}`,
    `/logs?project=acme-prod&filter=${encodeURIComponent('x'.repeat(2500))}`,
    '/logs?project=acme-prod&filter=a&filter=b',
    '/cloud-run?project=acme-prod&region=us-central1-a',
    '/cloud-run?project=acme-prod&region=nowhere',
    '/cloud-run?project=acme-prod&region=us-central1&region=europe-west1',
    '/service-accounts/not-an-email/keys?project=acme-prod',
    '/service-accounts/deployer@acme-prod.iam.gserviceaccount.com/keys',
    '/service-accounts/deployer@acme-prod.iam.gserviceaccount.com/keys?project=BAD',
    '/projects/BAD_ID/iam',
    `/projects?pageToken=${long}`,
    '/vms/power?project=acme-prod&zone=us-central1&instance=web-1&action=stop',
    '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=reboot',
    '/vms/power?project=acme-prod&zone=us-central1-a&instance=Web_1&action=stop',
    '/vms/power?project=acme-prod&zone=us-central1-a&zone=us-central1-b&instance=web-1&action=stop',
  ];
  // vm-power needs its own consent before its input is even looked at.
  await stack.grant(b, 'vm-power', '/vms');
  for (const path of bad) {
    const { status, html } = await stack.get(b, path);
    assert.equal(status, 400, `${path.slice(0, 120)} → ${status}`);
    assert.match(text(html), /Check what you entered|Google could not use that request/, path.slice(0, 120));
    assert.ok(!html.includes('<script>'), 'input is never echoed unescaped');
  }
});

test('nothing in these pages, URLs, cookies or logs carries a token', () => {
  assertNoTokensSeen(stack.logs.text);
});
