import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GoogleApiError,
  InvalidInputError,
  flattenAggregatedInstances,
  getIamPolicy,
  listBuckets,
  listInstancesAggregated,
  listLogEntries,
  listObjects,
  listServiceAccountKeys,
  listServiceAccounts,
  listServices,
  searchProjects,
  startInstance,
  stopInstance,
  type GoogleCallContext,
} from '../../src/google/index.js';
import {
  UNAVAILABLE_BODY,
  sendJson,
  startServer,
  type RecordedRequest,
  type TestServer,
} from '../support/fake-server.js';

const TOKEN = 'ya29.client-test-token';
const FAST = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };

const AGGREGATED = {
  kind: 'compute#instanceAggregatedList',
  id: 'projects/my-project/aggregated/instances',
  items: {
    'zones/us-central1-a': {
      instances: [
        {
          kind: 'compute#instance',
          id: '111',
          name: 'web-1',
          zone: 'https://www.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a',
          status: 'RUNNING',
          machineType:
            'https://www.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a/machineTypes/e2-small',
        },
        {
          id: '112',
          name: 'web-2',
          zone: 'https://www.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a',
          status: 'TERMINATED',
        },
      ],
    },
    'zones/us-central1-b': {
      warning: {
        code: 'NO_RESULTS_ON_PAGE',
        message: "There are no results for scope 'zones/us-central1-b' on this page.",
        data: [{ key: 'scope', value: 'zones/us-central1-b' }],
      },
    },
    'zones/europe-west4-a': {
      instances: [
        {
          id: '211',
          name: 'db-1',
          zone: 'https://www.googleapis.com/compute/v1/projects/my-project/zones/europe-west4-a',
          status: 'RUNNING',
        },
      ],
    },
    'zones/asia-east1-c': {
      warning: {
        code: 'UNREACHABLE',
        message: "Scope 'zones/asia-east1-c' is unreachable.",
        data: [{ key: 'scope', value: 'zones/asia-east1-c' }],
      },
    },
  },
  nextPageToken: 'page-2',
  selfLink: 'https://www.googleapis.com/compute/v1/projects/my-project/aggregated/instances',
};

const OPERATION = {
  kind: 'compute#operation',
  id: '9001',
  name: 'operation-1700000000000-abc',
  zone: 'https://www.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a',
  operationType: 'stop',
  targetLink: 'https://www.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a/instances/vm-1',
  status: 'RUNNING',
  progress: 0,
};

type Route = (req: RecordedRequest) => { status: number; body: unknown };

/** A route that answers 200 with this body, whatever the request. */
const okWith =
  (body: unknown): Route =>
  () => ({ status: 200, body });

async function withGoogle(
  routes: Record<string, Route>,
  run: (ctx: GoogleCallContext, server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startServer((req, res) => {
    const path = req.url.split('?')[0] ?? '';
    const route = routes[`${req.method} ${path}`];
    if (!route)
      return sendJson(res, 404, {
        error: { code: 404, message: `no route ${req.method} ${path}`, status: 'NOT_FOUND' },
      });
    const { status, body } = route(req);
    return sendJson(res, status, body);
  });
  try {
    await run({ accessToken: TOKEN, apiBaseOverride: `${server.url}/`, retryPolicy: FAST }, server);
  } finally {
    await server.close();
  }
}

function query(req: RecordedRequest | undefined): URLSearchParams {
  return new URL(req?.url ?? '/', 'http://x').searchParams;
}

test('searchProjects: GET v3/projects:search with query params', async () => {
  await withGoogle(
    {
      'GET /cloudresourcemanager.googleapis.com/v3/projects:search': okWith({
        projects: [
          {
            name: 'projects/123456789012',
            parent: 'organizations/1',
            projectId: 'my-project',
            state: 'ACTIVE',
            displayName: 'My Project',
            createTime: '2024-01-01T00:00:00Z',
            etag: 'W/"x"',
          },
        ],
        nextPageToken: 'tok2',
      }),
    },
    async (ctx, server) => {
      const result = await searchProjects(ctx, { pageSize: 10, query: 'state:ACTIVE', pageToken: 'tok1' });
      assert.equal(result.projects.length, 1);
      assert.equal(result.projects[0]?.projectId, 'my-project');
      assert.equal(result.nextPageToken, 'tok2');
      const q = query(server.requests[0]);
      assert.equal(q.get('pageSize'), '10');
      assert.equal(q.get('query'), 'state:ACTIVE');
      assert.equal(q.get('pageToken'), 'tok1');
      assert.equal(server.requests[0]?.headers['authorization'], `Bearer ${TOKEN}`);
    },
  );
});

test('searchProjects: empty answer {} → no projects, no token', async () => {
  await withGoogle({ 'GET /cloudresourcemanager.googleapis.com/v3/projects:search': okWith({}) }, async (ctx) => {
    assert.deepEqual(await searchProjects(ctx), { projects: [] });
  });
});

test('getIamPolicy: read-only POST with requestedPolicyVersion 3, retried on 503', async () => {
  let calls = 0;
  await withGoogle(
    {
      'POST /cloudresourcemanager.googleapis.com/v3/projects/my-project:getIamPolicy': () =>
        ++calls === 1
          ? { status: 503, body: UNAVAILABLE_BODY }
          : {
              status: 200,
              body: {
                version: 3,
                etag: 'BwX=',
                bindings: [
                  { role: 'roles/owner', members: ['user:alice@example.com'] },
                  {
                    role: 'roles/viewer',
                    members: ['group:ops@example.com'],
                    condition: { title: 't', expression: 'true' },
                  },
                ],
              },
            },
    },
    async (ctx, server) => {
      const policy = await getIamPolicy(ctx, { projectId: 'my-project' });
      assert.equal(policy.version, 3);
      assert.equal(policy.bindings.length, 2);
      assert.equal(policy.bindings[0]?.role, 'roles/owner');
      assert.equal(server.requests.length, 2);
      assert.deepEqual(JSON.parse(server.requests[1]?.body ?? ''), { options: { requestedPolicyVersion: 3 } });
    },
  );
});

test('listInstancesAggregated: flattens zones, drops NO_RESULTS_ON_PAGE, reports UNREACHABLE', async () => {
  await withGoogle(
    {
      'GET /compute.googleapis.com/compute/v1/projects/my-project/aggregated/instances': okWith(AGGREGATED),
    },
    async (ctx, server) => {
      const result = await listInstancesAggregated(ctx, { project: 'my-project', maxResults: 50 });
      assert.deepEqual(
        result.instances.map((i) => [i.name, i.zone, i.status]),
        [
          ['web-1', 'us-central1-a', 'RUNNING'],
          ['web-2', 'us-central1-a', 'TERMINATED'],
          ['db-1', 'europe-west4-a', 'RUNNING'],
        ],
      );
      assert.equal(
        result.instances[0]?.zoneUrl,
        'https://www.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a',
      );
      assert.equal(result.instances[0]?.['kind'], 'compute#instance', 'unknown fields are kept');
      assert.deepEqual(result.unreachable, ['asia-east1-c']);
      assert.equal(result.nextPageToken, 'page-2');
      assert.equal(query(server.requests[0]).get('maxResults'), '50');
    },
  );
});

test('flattenAggregatedInstances: empty, warning-only and top-level unreachables', () => {
  assert.deepEqual(flattenAggregatedInstances({}), { instances: [] });
  assert.deepEqual(
    flattenAggregatedInstances({
      items: { 'zones/us-east1-b': { warning: { code: 'NO_RESULTS_ON_PAGE' } } },
      unreachables: ['zones/us-west1-a'],
    }),
    { instances: [], unreachable: ['us-west1-a'] },
  );
});

test('listInstancesAggregated: items of the wrong shape → BAD_RESPONSE', async () => {
  await withGoogle(
    {
      'GET /compute.googleapis.com/compute/v1/projects/my-project/aggregated/instances': okWith({
        items: { 'zones/us-central1-a': { instances: [{ id: 1 }] } },
      }),
    },
    async (ctx) => {
      await assert.rejects(
        listInstancesAggregated(ctx, { project: 'my-project' }),
        (e: unknown) => e instanceof GoogleApiError && e.code === 'BAD_RESPONSE',
      );
    },
  );
});

test('stopInstance / startInstance: POST to the right path, return the Operation', async () => {
  await withGoogle(
    {
      'POST /compute.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a/instances/vm-1/stop':
        okWith(OPERATION),
      'POST /compute.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a/instances/vm-1/start': okWith({
        ...OPERATION,
        operationType: 'start',
      }),
    },
    async (ctx, server) => {
      const ref = { project: 'my-project', zone: 'us-central1-a', instance: 'vm-1' };
      assert.equal((await stopInstance(ctx, ref)).operationType, 'stop');
      assert.equal((await startInstance(ctx, ref)).operationType, 'start');
      assert.deepEqual(
        server.requests.map((r) => r.method),
        ['POST', 'POST'],
      );
    },
  );
});

test('stopInstance: 403 insufficient scope surfaces SCOPE_INSUFFICIENT, one call', async () => {
  const server = await startServer((_req, res) =>
    sendJson(
      res,
      403,
      {
        error: {
          code: 403,
          message: 'Request had insufficient authentication scopes.',
          status: 'PERMISSION_DENIED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }],
        },
      },
      {
        'www-authenticate':
          'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/compute https://www.googleapis.com/auth/cloud-platform"',
      },
    ),
  );
  try {
    const ctx = { accessToken: TOKEN, apiBaseOverride: server.url };
    await assert.rejects(
      stopInstance(ctx, { project: 'my-project', zone: 'us-central1-a', instance: 'vm-1' }),
      (e: unknown) => {
        assert.ok(e instanceof GoogleApiError);
        assert.equal(e.code, 'SCOPE_INSUFFICIENT');
        assert.deepEqual(e.requiredScopes, [
          'https://www.googleapis.com/auth/compute',
          'https://www.googleapis.com/auth/cloud-platform',
        ]);
        return true;
      },
    );
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('invalid identifiers are refused before any request is made', async () => {
  await withGoogle({}, async (ctx, server) => {
    const bad: Array<[Promise<unknown>, string]> = [
      [stopInstance(ctx, { project: 'my-project', zone: 'us-central1-a', instance: '../x' }), 'instance'],
      [startInstance(ctx, { project: 'my-project', zone: 'a/b', instance: 'vm-1' }), 'zone'],
      [listInstancesAggregated(ctx, { project: '%2e%2e' }), 'project'],
      [getIamPolicy(ctx, { projectId: 'my-project/../../x' }), 'projectId'],
      [listObjects(ctx, { bucket: '..' }), 'bucket'],
      [listServices(ctx, { projectId: 'my-project', region: 'us-central1/../x' }), 'region'],
      [
        listServiceAccountKeys(ctx, {
          projectId: 'my-project',
          serviceAccountEmail: 'a/b@my-project.iam.gserviceaccount.com',
        }),
        'serviceAccountEmail',
      ],
      [listLogEntries(ctx, { projectId: 'my-project', pageSize: 5000 }), 'pageSize'],
      [listBuckets(ctx, { project: 'My Project' }), 'project'],
    ];
    for (const [promise, field] of bad) {
      await assert.rejects(promise, (e: unknown) => e instanceof InvalidInputError && e.field === field);
    }
    assert.equal(server.requests.length, 0);
  });
});

test('listBuckets: GET b?project=', async () => {
  await withGoogle(
    {
      'GET /storage.googleapis.com/storage/v1/b': okWith({
        kind: 'storage#buckets',
        items: [
          {
            kind: 'storage#bucket',
            id: 'logs.example.com',
            name: 'logs.example.com',
            location: 'US',
            storageClass: 'STANDARD',
            timeCreated: '2024-01-01T00:00:00.000Z',
          },
        ],
      }),
    },
    async (ctx, server) => {
      const result = await listBuckets(ctx, { project: 'my-project', maxResults: 100 });
      assert.equal(result.buckets[0]?.name, 'logs.example.com');
      assert.equal(result.nextPageToken, undefined);
      const q = query(server.requests[0]);
      assert.equal(q.get('project'), 'my-project');
      assert.equal(q.get('maxResults'), '100');
    },
  );
});

test('listObjects: GET b/{bucket}/o with encoded prefix', async () => {
  await withGoogle(
    {
      'GET /storage.googleapis.com/storage/v1/b/logs.example.com/o': okWith({
        kind: 'storage#objects',
        items: [{ name: 'a dir/file #1.txt', bucket: 'logs.example.com', size: '42', contentType: 'text/plain' }],
        prefixes: ['a dir/sub/'],
        nextPageToken: 'n',
      }),
    },
    async (ctx, server) => {
      const result = await listObjects(ctx, { bucket: 'logs.example.com', prefix: 'a dir/', delimiter: '/' });
      assert.equal(result.objects[0]?.size, '42');
      assert.deepEqual(result.prefixes, ['a dir/sub/']);
      assert.equal(result.nextPageToken, 'n');
      assert.match(server.requests[0]?.url ?? '', /prefix=a%20dir%2F/);
      assert.equal(query(server.requests[0]).get('delimiter'), '/');
    },
  );
});

test('listLogEntries: POST v2/entries:list with resourceNames, default order, retried on 503', async () => {
  let calls = 0;
  await withGoogle(
    {
      'POST /logging.googleapis.com/v2/entries:list': () =>
        ++calls === 1
          ? { status: 503, body: UNAVAILABLE_BODY }
          : {
              status: 200,
              body: {
                entries: [
                  {
                    logName: 'projects/my-project/logs/syslog',
                    insertId: '1',
                    timestamp: '2026-01-01T00:00:00Z',
                    severity: 'ERROR',
                    resource: { type: 'gce_instance', labels: { zone: 'us-central1-a' } },
                    textPayload: 'boom',
                  },
                  { logName: 'projects/my-project/logs/app', insertId: '2', jsonPayload: { msg: 'hi', n: 1 } },
                ],
                nextPageToken: 'more',
              },
            },
    },
    async (ctx, server) => {
      const result = await listLogEntries(ctx, { projectId: 'my-project', filter: 'severity>=ERROR', pageSize: 20 });
      assert.equal(result.entries.length, 2);
      assert.equal(result.nextPageToken, 'more');
      assert.equal(server.requests.length, 2);
      assert.deepEqual(JSON.parse(server.requests[1]?.body ?? ''), {
        resourceNames: ['projects/my-project'],
        orderBy: 'timestamp desc',
        filter: 'severity>=ERROR',
        pageSize: 20,
      });
    },
  );
});

test('listServices: GET v2/projects/{p}/locations/{region}/services', async () => {
  await withGoogle(
    {
      'GET /run.googleapis.com/v2/projects/my-project/locations/us-central1/services': okWith({
        services: [
          {
            name: 'projects/my-project/locations/us-central1/services/api',
            uri: 'https://api-xyz.a.run.app',
            ingress: 'INGRESS_TRAFFIC_ALL',
          },
        ],
      }),
    },
    async (ctx) => {
      const result = await listServices(ctx, { projectId: 'my-project', region: 'us-central1', pageSize: 10 });
      assert.equal(result.services[0]?.uri, 'https://api-xyz.a.run.app');
    },
  );
});

test('listServiceAccounts and listServiceAccountKeys', async () => {
  await withGoogle(
    {
      'GET /iam.googleapis.com/v1/projects/my-project/serviceAccounts': okWith({
        accounts: [
          {
            name: 'projects/my-project/serviceAccounts/deployer@my-project.iam.gserviceaccount.com',
            projectId: 'my-project',
            uniqueId: '1',
            email: 'deployer@my-project.iam.gserviceaccount.com',
            disabled: false,
          },
        ],
      }),
      'GET /iam.googleapis.com/v1/projects/my-project/serviceAccounts/deployer%40my-project.iam.gserviceaccount.com/keys':
        okWith({
          keys: [
            {
              name: 'projects/my-project/serviceAccounts/deployer@my-project.iam.gserviceaccount.com/keys/abc',
              keyAlgorithm: 'KEY_ALG_RSA_2048',
              keyType: 'USER_MANAGED',
              validAfterTime: '2025-01-01T00:00:00Z',
            },
          ],
        }),
    },
    async (ctx, server) => {
      const accounts = await listServiceAccounts(ctx, { projectId: 'my-project', pageSize: 50 });
      assert.equal(accounts.accounts[0]?.email, 'deployer@my-project.iam.gserviceaccount.com');
      const keys = await listServiceAccountKeys(ctx, {
        projectId: 'my-project',
        serviceAccountEmail: 'deployer@my-project.iam.gserviceaccount.com',
        keyTypes: ['USER_MANAGED'],
      });
      assert.equal(keys.keys[0]?.keyType, 'USER_MANAGED');
      assert.equal(query(server.requests[1]).get('keyTypes'), 'USER_MANAGED');
    },
  );
});

test('IAM 403 (role missing) surfaces PERMISSION_DENIED with Google’s message', async () => {
  await withGoogle(
    {
      'GET /iam.googleapis.com/v1/projects/my-project/serviceAccounts': () => ({
        status: 403,
        body: { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } },
      }),
    },
    async (ctx, server) => {
      await assert.rejects(
        listServiceAccounts(ctx, { projectId: 'my-project' }),
        (e: unknown) =>
          e instanceof GoogleApiError &&
          e.code === 'PERMISSION_DENIED' &&
          e.message === 'The caller does not have permission',
      );
      assert.equal(server.requests.length, 1);
    },
  );
});
