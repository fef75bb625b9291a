// The Google clients the workload review adds: Workflows list/get and Cloud Run getIamPolicy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidInputError,
  getServiceIamPolicy,
  getWorkflow,
  isRunServiceName,
  isWorkflowId,
  listInstancesAggregated,
  listServices,
  listWorkflows,
} from '../../src/google/index.js';
import { sendJson, useFakeGoogle } from '../support/fake-server.js';

const google = useFakeGoogle((req, res) => {
  const path = req.url.split('?')[0] ?? '';
  if (path.endsWith('/workflows'))
    return sendJson(res, 200, {
      workflows: [
        {
          name: 'projects/p-123456/locations/us-central1/workflows/w1',
          serviceAccount: 'projects/p-123456/serviceAccounts/w@p-123456.iam.gserviceaccount.com',
        },
      ],
      nextPageToken: 'n2',
      unreachable: [],
    });
  if (path.includes('/workflows/'))
    return sendJson(res, 200, {
      name: 'projects/p-123456/locations/us-central1/workflows/w1',
      sourceContents: 'main:\n  steps: []\n',
    });
  if (path.endsWith(':getIamPolicy')) return sendJson(res, 200, { etag: 'BwY=' });
  if (path.endsWith('/services'))
    return sendJson(res, 200, {
      services: [
        {
          name: 'projects/p-123456/locations/us-central1/services/api',
          template: { serviceAccount: 'a@p-123456.iam.gserviceaccount.com' },
          invokerIamDisabled: true,
        },
      ],
    });
  if (path.endsWith('/aggregated/instances'))
    return sendJson(res, 200, {
      items: {
        'zones/us-central1-a': {
          instances: [
            {
              name: 'vm',
              serviceAccounts: [
                {
                  email: 'x@p-123456.iam.gserviceaccount.com',
                  scopes: ['https://www.googleapis.com/auth/cloud-platform'],
                },
              ],
            },
          ],
        },
      },
    });
  return sendJson(res, 404, { error: { code: 404, message: 'nope', status: 'NOT_FOUND' } });
});
const last = () => google.server.requests[google.server.requests.length - 1];

describe('Workflows client', () => {
  it('lists one region, with paging, at Google’s path', async () => {
    const r = await listWorkflows(google.ctx, {
      projectId: 'p-123456',
      region: 'us-central1',
      pageSize: 100,
      pageToken: 'n1',
    });
    assert.equal(
      last()?.url,
      '/workflows.googleapis.com/v1/projects/p-123456/locations/us-central1/workflows?pageSize=100&pageToken=n1',
    );
    assert.equal(last()?.headers.authorization, 'Bearer ya29.test');
    assert.equal(r.nextPageToken, 'n2');
    assert.equal(
      r.workflows[0]?.serviceAccount,
      'projects/p-123456/serviceAccounts/w@p-123456.iam.gserviceaccount.com',
    );
    assert.equal('unreachable' in r, false, 'an empty unreachable list is left out');
  });
  it('gets one workflow with its source', async () => {
    const w = await getWorkflow(google.ctx, { projectId: 'p-123456', region: 'us-central1', workflowId: 'w1' });
    assert.equal(last()?.url, '/workflows.googleapis.com/v1/projects/p-123456/locations/us-central1/workflows/w1');
    assert.equal(w.sourceContents, 'main:\n  steps: []\n');
  });
  it('refuses the "-" wildcard, a bad workflow id and a bad page size before calling Google', async () => {
    const before = google.server.requests.length;
    await assert.rejects(listWorkflows(google.ctx, { projectId: 'p-123456', region: '-' }), InvalidInputError);
    await assert.rejects(
      getWorkflow(google.ctx, { projectId: 'p-123456', region: 'us-central1', workflowId: '../x' }),
      InvalidInputError,
    );
    await assert.rejects(
      listWorkflows(google.ctx, { projectId: 'p-123456', region: 'us-central1', pageSize: 1001 }),
      InvalidInputError,
    );
    assert.equal(google.server.requests.length, before);
  });
});

describe('Cloud Run getIamPolicy and the identity fields', () => {
  it('GET …/services/{name}:getIamPolicy; an empty policy has no bindings', async () => {
    const p = await getServiceIamPolicy(google.ctx, { projectId: 'p-123456', region: 'us-central1', service: 'api' });
    assert.equal(last()?.method, 'GET');
    assert.equal(
      last()?.url,
      '/run.googleapis.com/v2/projects/p-123456/locations/us-central1/services/api:getIamPolicy',
    );
    assert.deepEqual(p, { version: 1, etag: 'BwY=', bindings: [] });
    await assert.rejects(
      getServiceIamPolicy(google.ctx, { projectId: 'p-123456', region: 'us-central1', service: 'Api:x' }),
      InvalidInputError,
    );
  });
  it('services carry template.serviceAccount and invokerIamDisabled; instances their serviceAccounts', async () => {
    const s = await listServices(google.ctx, { projectId: 'p-123456', region: 'us-central1' });
    assert.equal(s.services[0]?.template?.serviceAccount, 'a@p-123456.iam.gserviceaccount.com');
    assert.equal(s.services[0]?.invokerIamDisabled, true);
    const i = await listInstancesAggregated(google.ctx, { project: 'p-123456' });
    assert.deepEqual(i.instances[0]?.serviceAccounts, [
      { email: 'x@p-123456.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    ]);
  });
  it('name checks: Cloud Run services and workflow ids', () => {
    assert.ok(isRunServiceName('api-eu'));
    for (const bad of ['Api', 'api-', '1api', 'a'.repeat(50), 'a/b', ''])
      assert.equal(isRunServiceName(bad), false, bad);
    assert.ok(isWorkflowId('Report_builder-2'));
    for (const bad of ['1w', 'w-', 'w.x', 'a'.repeat(65), '']) assert.equal(isWorkflowId(bad), false, bad);
  });
});
