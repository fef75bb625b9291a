// The Cloud APIs: bearer auth, scope checks from methods.json, IAM, fixtures, pagination, Google error shapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { S, api, mockControl, mockControlStatus, getTokens, useMock } from '../support/mock.js';
import { insufficientScopeBody } from '../support/google-errors.js';

const mock = useMock({ reset: true });

const C = 'compute.googleapis.com/compute/v1';
const token = async (scope: string, email = 'alice@example.com') =>
  (await getTokens(mock, { email, scope: `openid email ${scope}` })).tokens.access_token;

describe('authentication and scopes', () => {
  it('401 without a token, with Google’s body and WWW-Authenticate', async () => {
    const r = await api(mock, `${C}/projects/acme-prod/aggregated/instances`);
    assert.equal(r.status, 401);
    assert.equal(
      r.headers.get('www-authenticate'),
      'Bearer realm="https://accounts.google.com/", error="invalid_token"',
    );
    assert.equal(r.body.error.code, 401);
    assert.equal(r.body.error.status, 'UNAUTHENTICATED');
    assert.match(
      r.body.error.message,
      /^Request had invalid authentication credentials\. Expected OAuth 2 access token, login cookie or other valid authentication credential\./,
    );
    assert.deepEqual(r.body.error.errors, [
      {
        message: 'Invalid Credentials',
        domain: 'global',
        reason: 'authError',
        location: 'Authorization',
        locationType: 'header',
      },
    ]);
    const unknown = await api(mock, `${C}/projects/acme-prod/aggregated/instances`, 'ya29.mock.nope');
    assert.equal(unknown.status, 401);
  });

  it('403 insufficient scope in the legacy JSON shape (compute, storage) when compute.readonly calls instances.stop', async () => {
    const t = await token(S.computeRead);
    const r = await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1/stop`, t, {
      method: 'POST',
    });
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, {
      error: {
        code: 403,
        message: 'Insufficient Permission',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
      },
    });
    assert.equal(
      r.headers.get('www-authenticate'),
      `Bearer realm="https://accounts.google.com/", error=insufficient_scope, scope="${S.cloud} ${S.compute}"`,
    );
    const still = await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1`, t);
    assert.equal(still.body.status, 'RUNNING', 'nothing changed');
  });

  it('403 insufficient scope in the ErrorInfo shape (newer APIs) when compute.readonly lists Cloud Run services', async () => {
    const t = await token(S.computeRead);
    const r = await api(mock, 'run.googleapis.com/v2/projects/acme-prod/locations/us-central1/services', t);
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, insufficientScopeBody('run.googleapis.com', 'google.cloud.run.v2.Services.ListServices'));
    assert.match(
      r.headers.get('www-authenticate') ?? '',
      /^Bearer realm="https:\/\/accounts.google.com\/", error="insufficient_scope", scope="/,
    );
  });

  it('compute.readonly lists instances across zones (aggregatedList, Google’s shape)', async () => {
    const t = await token(S.computeRead);
    const r = await api(mock, `${C}/projects/acme-prod/aggregated/instances`, t);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'compute#instanceAggregatedList');
    const names = Object.values(r.body.items as Record<string, { instances?: { name: string }[] }>).flatMap((z) =>
      (z.instances ?? []).map((i) => i.name),
    );
    assert.deepEqual(names.sort(), ['db-eu-1', 'web-1', 'web-2', 'worker-1']);
    assert.equal(r.body.items['zones/us-central1-a'].instances.length, 2);
    assert.equal(r.body.items['zones/us-central1-c'].warning.code, 'NO_RESULTS_ON_PAGE');
    const web1 = r.body.items['zones/us-central1-a'].instances.find((i: { name: string }) => i.name === 'web-1');
    assert.equal(web1.status, 'RUNNING');
    assert.equal(web1.zone, 'https://www.googleapis.com/compute/v1/projects/acme-prod/zones/us-central1-a');
  });

  it('cloud-platform.read-only is not enough for compute (methods.json decides)', async () => {
    const t = await token(S.cloudRead);
    const r = await api(mock, `${C}/projects/acme-prod/aggregated/instances`, t);
    assert.equal(r.status, 403);
    const ok = await api(mock, 'cloudresourcemanager.googleapis.com/v3/projects:search', t);
    assert.equal(ok.status, 200);
  });

  it('an expired token is 401 (accessTokenTtlSeconds)', async () => {
    await mockControl(mock, 'settings', { accessTokenTtlSeconds: 1 });
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}` });
    assert.equal(tokens.expires_in, 1);
    assert.equal((await api(mock, `${C}/projects/acme-prod/zones`, tokens.access_token)).status, 200);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await api(mock, `${C}/projects/acme-prod/zones`, tokens.access_token)).status, 401);
  });
});

describe('compute', () => {
  it('stop and start change the instance status and return zone operations', async () => {
    const t = await token(S.compute);
    const stop = await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1/stop`, t, {
      method: 'POST',
    });
    assert.equal(stop.status, 200);
    assert.equal(stop.body.kind, 'compute#operation');
    assert.equal(stop.body.operationType, 'stop');
    assert.equal(
      stop.body.targetLink,
      'https://www.googleapis.com/compute/v1/projects/acme-prod/zones/us-central1-a/instances/web-1',
    );
    assert.equal(stop.body.status, 'DONE');
    assert.ok(stop.body.id && stop.body.name && stop.body.selfLink);
    assert.equal(
      (await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1`, t)).body.status,
      'TERMINATED',
    );
    const stopAgain = await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1/stop`, t, {
      method: 'POST',
    });
    assert.equal(stopAgain.status, 200, 'stopping a stopped VM is fine');
    const start = await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1/start`, t, {
      method: 'POST',
    });
    assert.equal(start.body.operationType, 'start');
    assert.equal(
      (await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1`, t)).body.status,
      'RUNNING',
    );
  });

  it('operations take the configured time: PENDING, RUNNING (VM STOPPING), DONE (VM TERMINATED), then start', async () => {
    await mockControl(mock, 'operations', { pendingMs: 150, runningMs: 300 });
    const t = await token(S.compute);
    const vm = `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1`;
    const stop = await api(mock, `${vm}/stop`, t, { method: 'POST' });
    assert.equal(stop.body.status, 'PENDING');
    assert.equal(stop.body.progress, 0);
    const opUrl = `${C}/projects/acme-prod/zones/us-central1-a/operations/${stop.body.name}`;
    assert.equal((await api(mock, vm, t)).body.status, 'RUNNING', 'nothing happens while pending');
    await new Promise((r) => setTimeout(r, 200));
    const running = await api(mock, opUrl, t);
    assert.equal(running.body.status, 'RUNNING');
    assert.ok(running.body.startTime && !running.body.endTime);
    assert.equal((await api(mock, vm, t)).body.status, 'STOPPING');
    await new Promise((r) => setTimeout(r, 300));
    const done = await api(mock, opUrl, t);
    assert.equal(done.body.status, 'DONE');
    assert.equal(done.body.progress, 100);
    assert.ok(done.body.endTime);
    assert.equal((await api(mock, vm, t)).body.status, 'TERMINATED');
    // Read-only access may follow an operation (compute.readonly is one of zoneOperations.get's scopes).
    assert.equal((await api(mock, opUrl, await token(S.computeRead))).status, 200);
    const missing = await api(mock, `${C}/projects/acme-prod/zones/us-central1-b/operations/${stop.body.name}`, t);
    assert.equal(missing.status, 404, 'an operation is found in its own zone only');
    const start = await api(mock, `${vm}/start`, t, { method: 'POST' });
    assert.equal(start.body.status, 'PENDING');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await api(mock, vm, t)).body.status, 'RUNNING');
    const timing = (await mockControl(mock, 'operations')) as { operations: unknown[] };
    assert.equal(timing.operations.length, 2);
    assert.equal(await mockControlStatus(mock, 'operations', { pendingMs: -1, runningMs: 0 }), 400);
  });

  it('partial responses: the fields parameter keeps only the fields asked for', async () => {
    const t = await token(S.loggingRead);
    const r = await api(
      mock,
      'logging.googleapis.com/v2/entries:list?fields=entries(timestamp,severity),nextPageToken',
      t,
      {
        method: 'POST',
        body: { resourceNames: ['projects/acme-prod'], pageSize: 5 },
      },
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.entries.length, 5);
    for (const e of r.body.entries) assert.deepEqual(Object.keys(e).sort(), ['severity', 'timestamp']);
    assert.ok(r.body.nextPageToken);
    const bad = await api(mock, 'logging.googleapis.com/v2/entries:list?fields=entries(timestamp', t, {
      method: 'POST',
      body: { resourceNames: ['projects/acme-prod'] },
    });
    assert.equal(bad.status, 400);
  });

  it('state is shared and reset restores it', async () => {
    const t = await token(S.compute);
    await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1/stop`, t, { method: 'POST' });
    await mockControl(mock, 'reset', {});
    const t2 = await token(S.compute);
    assert.equal(
      (await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1`, t2)).body.status,
      'RUNNING',
    );
  });

  it('IAM: a viewer may not stop VMs (403 without the scope detail)', async () => {
    const t = await token(S.compute, 'bob@example.com');
    const r = await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/web-1/stop`, t, {
      method: 'POST',
    });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.errors[0].reason, 'forbidden');
    assert.equal(r.body.error.details, undefined);
  });

  it('unknown project / instance → 404 Google-shaped; unknown path → 404', async () => {
    const t = await token(S.computeRead);
    const p = await api(mock, `${C}/projects/nope/aggregated/instances`, t);
    assert.equal(p.status, 404);
    assert.equal(p.body.error.status, 'NOT_FOUND');
    assert.equal(p.body.error.errors[0].reason, 'notFound');
    const i = await api(mock, `${C}/projects/acme-prod/zones/us-central1-a/instances/ghost`, t);
    assert.equal(i.status, 404);
    assert.equal(
      i.body.error.message,
      "The resource 'projects/acme-prod/zones/us-central1-a/instances/ghost' was not found",
    );
    const path = await api(mock, `${C}/projects/acme-prod/nothing-here`, t);
    assert.equal(path.status, 404);
    assert.equal(path.body.error.code, 404);
  });

  it('instances.list with a filter and maxResults paging', async () => {
    const t = await token(S.computeRead);
    const running = await api(
      mock,
      `${C}/projects/acme-prod/aggregated/instances?filter=${encodeURIComponent('status = "RUNNING"')}`,
      t,
    );
    const names = Object.values(running.body.items as Record<string, { instances?: { name: string }[] }>).flatMap((z) =>
      (z.instances ?? []).map((i) => i.name),
    );
    assert.deepEqual(names.sort(), ['db-eu-1', 'web-1', 'web-2']);
    const p1 = await api(mock, `${C}/projects/acme-prod/aggregated/instances?maxResults=3`, t);
    assert.ok(p1.body.nextPageToken);
    const p2 = await api(
      mock,
      `${C}/projects/acme-prod/aggregated/instances?maxResults=3&pageToken=${p1.body.nextPageToken}`,
      t,
    );
    assert.equal(p2.body.nextPageToken, undefined);
  });
});

describe('resource manager', () => {
  it('projects.search returns the projects the user can see', async () => {
    const t = await token(S.cloudRead);
    const r = await api(mock, 'cloudresourcemanager.googleapis.com/v3/projects:search', t);
    assert.deepEqual(
      r.body.projects.map((p: { projectId: string }) => p.projectId),
      ['acme-prod', 'acme-staging', 'acme-data', 'acme-sandbox'],
    );
    assert.equal(r.body.projects[0].name, 'projects/123456789012');
    const dave = await api(
      mock,
      'cloudresourcemanager.googleapis.com/v3/projects:search',
      await token(S.cloudRead, 'dave@other.example'),
    );
    assert.deepEqual(dave.body, {}, 'Google omits empty lists');
  });

  it('getIamPolicy (POST): bindings for an owner, IAM 403 without ErrorInfo for acme-sandbox', async () => {
    const t = await token(S.cloudRead);
    const ok = await api(mock, 'cloudresourcemanager.googleapis.com/v3/projects/acme-prod:getIamPolicy', t, {
      method: 'POST',
      body: { options: { requestedPolicyVersion: 3 } },
    });
    assert.equal(ok.status, 200);
    assert.ok(
      ok.body.bindings.some(
        (b: { role: string; members: string[] }) =>
          b.role === 'roles/owner' && b.members.includes('user:alice@example.com'),
      ),
    );
    const noBody = await api(mock, 'cloudresourcemanager.googleapis.com/v3/projects/acme-prod:getIamPolicy', t, {
      method: 'POST',
    });
    assert.equal(noBody.status, 200);
    const denied = await api(mock, 'cloudresourcemanager.googleapis.com/v3/projects/acme-sandbox:getIamPolicy', t, {
      method: 'POST',
      body: {},
    });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body, {
      error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' },
    });
    assert.equal(denied.headers.get('www-authenticate'), null);
    const get = await api(mock, 'cloudresourcemanager.googleapis.com/v3/projects/acme-data', t);
    assert.equal(get.body.projectId, 'acme-data');
  });
});

describe('storage, logging, iam, run', () => {
  it('buckets and objects with prefixes and pagination', async () => {
    const t = await token(S.storageRead);
    const b = await api(mock, 'storage.googleapis.com/storage/v1/b?project=acme-data', t);
    assert.equal(b.body.kind, 'storage#buckets');
    assert.deepEqual(
      b.body.items.map((x: { name: string }) => x.name),
      ['acme-data-exports', 'acme-data-lake'],
    );
    const missing = await api(mock, 'storage.googleapis.com/storage/v1/b', t);
    assert.equal(missing.status, 400);
    const p1 = await api(mock, 'storage.googleapis.com/storage/v1/b/acme-data-lake/o', t);
    assert.equal(p1.body.items.length, 1000);
    assert.ok(p1.body.nextPageToken);
    const p2 = await api(
      mock,
      `storage.googleapis.com/storage/v1/b/acme-data-lake/o?pageToken=${encodeURIComponent(p1.body.nextPageToken)}`,
      t,
    );
    assert.equal(p2.body.items.length, 502);
    assert.equal(p2.body.nextPageToken, undefined);
    const dirs = await api(mock, 'storage.googleapis.com/storage/v1/b/acme-data-lake/o?delimiter=/', t);
    assert.deepEqual(dirs.body.prefixes, ['curated/', 'raw/']);
    assert.deepEqual(
      dirs.body.items.map((o: { name: string }) => o.name),
      ['README.md'],
    );
    const nf = await api(mock, 'storage.googleapis.com/storage/v1/b/no-such-bucket', t);
    assert.equal(nf.status, 404);
    assert.equal(nf.body.error.message, 'The specified bucket does not exist.');
  });

  it('logging entries:list with pages, severity filter, text search, bad filter → 400', async () => {
    const t = await token(S.loggingRead);
    const url = 'logging.googleapis.com/v2/entries:list';
    const p1 = await api(mock, url, t, { method: 'POST', body: { resourceNames: ['projects/acme-prod'] } });
    assert.equal(p1.status, 200);
    assert.equal(p1.body.entries.length, 50);
    assert.ok(p1.body.nextPageToken);
    const p2 = await api(mock, url, t, {
      method: 'POST',
      body: { resourceNames: ['projects/acme-prod'], pageToken: p1.body.nextPageToken },
    });
    assert.equal(p2.body.entries.length, 50);
    assert.ok(p2.body.entries[0].timestamp >= p1.body.entries[49].timestamp, 'ascending by default');
    const errors = await api(mock, url, t, {
      method: 'POST',
      body: {
        resourceNames: ['projects/acme-prod'],
        filter: 'severity>=ERROR',
        orderBy: 'timestamp desc',
        pageSize: 1000,
      },
    });
    assert.ok(errors.body.entries.length > 0);
    assert.ok(errors.body.entries.every((e: { severity: string }) => ['ERROR', 'CRITICAL'].includes(e.severity)));
    const text = await api(mock, url, t, {
      method: 'POST',
      body: {
        resourceNames: ['projects/acme-prod'],
        filter: '"upstream timeout" AND resource.type="gce_instance"',
        pageSize: 1000,
      },
    });
    assert.ok(text.body.entries.length > 0);
    assert.ok(text.body.entries.every((e: { textPayload: string }) => e.textPayload.includes('upstream timeout')));
    const bad = await api(mock, url, t, {
      method: 'POST',
      body: { resourceNames: ['projects/acme-prod'], filter: 'severity>= AND (' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.status, 'INVALID_ARGUMENT');
    const nf = await api(mock, url, t, { method: 'POST', body: { resourceNames: ['projects/ghost'] } });
    assert.equal(nf.status, 404);
  });

  it('service accounts page at 20; keys list by type', async () => {
    const t = await token(S.cloud);
    const p1 = await api(mock, 'iam.googleapis.com/v1/projects/acme-prod/serviceAccounts', t);
    assert.equal(p1.body.accounts.length, 20);
    const p2 = await api(
      mock,
      `iam.googleapis.com/v1/projects/acme-prod/serviceAccounts?pageToken=${p1.body.nextPageToken}`,
      t,
    );
    assert.equal(p2.body.accounts.length, 3);
    const keys = await api(
      mock,
      'iam.googleapis.com/v1/projects/acme-prod/serviceAccounts/deployer@acme-prod.iam.gserviceaccount.com/keys?keyTypes=USER_MANAGED',
      t,
    );
    assert.equal(keys.body.keys.length, 2);
    assert.ok(keys.body.keys.every((k: { keyType: string }) => k.keyType === 'USER_MANAGED'));
    const all = await api(
      mock,
      'iam.googleapis.com/v1/projects/-/serviceAccounts/deployer@acme-prod.iam.gserviceaccount.com/keys',
      t,
    );
    assert.equal(all.body.keys.length, 3);
    const ro = await api(mock, 'iam.googleapis.com/v1/projects/acme-prod/serviceAccounts', await token(S.cloudRead));
    assert.equal(ro.status, 403, 'iam list needs cloud-platform per methods.json');
  });

  it('Cloud Run services per region and across regions', async () => {
    const t = await token(S.runRead);
    const uc = await api(mock, 'run.googleapis.com/v2/projects/acme-prod/locations/us-central1/services', t);
    assert.deepEqual(
      uc.body.services.map((s: { name: string }) => s.name),
      [
        'projects/acme-prod/locations/us-central1/services/api',
        'projects/acme-prod/locations/us-central1/services/frontend',
      ],
    );
    const all = await api(mock, 'run.googleapis.com/v2/projects/acme-prod/locations/-/services', t);
    assert.equal(all.body.services.length, 3);
  });
});

describe('routing from methods.json', () => {
  it('every method in methods.json routes to a fixture handler (custom verbs included)', async () => {
    const { loadCatalog } = await import('../../mock-google/methods.js');
    const { HANDLERS } = await import('../../mock-google/cloud/router.js');
    const catalog = loadCatalog();
    const { AUTHORIZATION } = await import('../../mock-google/cloud/authorization.js');
    const allScopes = [...new Set(catalog.methods.flatMap((m) => AUTHORIZATION[m.key]?.scopes ?? []))].filter(
      (s) => s !== 'openid',
    );
    const t = (await getTokens(mock, { scope: `openid email profile ${allScopes.join(' ')}` })).tokens.access_token;
    const sample: Record<string, string> = {
      projectsId: 'acme-prod',
      project: 'acme-prod',
      zone: 'us-central1-a',
      instance: 'web-1',
      bucket: 'acme-prod-assets',
      locationsId: 'us-central1',
      serviceAccountsId: 'deployer@acme-prod.iam.gserviceaccount.com',
      servicesId: 'api',
      workflowsId: 'vm-janitor',
    };
    // zoneOperations.get reads an operation that exists: the one a stop returns.
    const stop = await api(
      mock,
      'compute.googleapis.com/compute/v1/projects/acme-prod/zones/us-central1-a/instances/web-1/stop',
      t,
      {
        method: 'POST',
        body: {},
      },
    );
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    sample['operation'] = stop.body.name;
    const query: Record<string, string> = {
      'cloudresourcemanager:v3:projects.list': '?parent=folders/200000000001',
      'cloudresourcemanager:v3:folders.list': '?parent=organizations/111111111111',
      'storage:v1:buckets.list': '?project=acme-prod',
      'monitoring:v3:projects.timeSeries.list': `?filter=${encodeURIComponent('metric.type = "compute.googleapis.com/instance/cpu/utilization"')}&interval.endTime=${new Date().toISOString()}`,
    };
    for (const m of catalog.methods) {
      assert.ok(HANDLERS[m.key], `handler for ${m.key}`);
      const path =
        m.mockRoot.slice(1) +
        m.path.replace(/\{([^}]+)\}/g, (_x, name: string) => sample[name] ?? 'x') +
        (query[m.key] ?? '');
      const body =
        m.key === 'logging:v2:entries.list'
          ? { resourceNames: ['projects/acme-prod'] }
          : m.httpMethod === 'POST'
            ? {}
            : undefined;
      const r = await api(mock, path, t, { method: m.httpMethod, ...(body !== undefined ? { body } : {}) });
      const expected = 200;
      assert.equal(r.status, expected, `${m.key} ${m.httpMethod} /${path} → ${r.status} ${JSON.stringify(r.body)}`);
    }
  });
});
