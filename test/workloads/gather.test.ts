// The I/O edge: paging, follow-up calls, per-item failures vs section-wide ones, skipped regions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sendJson, useFakeGoogle } from '../support/fake-server.js';
import { gatherRunServices, gatherServiceAccountKeys, gatherWorkflows } from '../../src/workloads/index.js';

const DENIED = { error: { code: 403, message: "Permission 'x' denied", status: 'PERMISSION_DENIED' } };
const SCOPE = {
  error: {
    code: 403,
    message: 'Request had insufficient authentication scopes.',
    status: 'PERMISSION_DENIED',
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }],
  },
};

let mode = 'normal';
const google = useFakeGoogle((req, res) => {
  const path = req.url.split('?')[0] ?? '';
  if (path.includes('/locations/asia-south2/'))
    return sendJson(res, 400, {
      error: { code: 400, message: 'Location asia-south2 is not supported.', status: 'INVALID_ARGUMENT' },
    });
  if (path.endsWith('/locations/us-central1/workflows')) {
    const page2 = req.url.includes('pageToken=t2');
    return sendJson(
      res,
      200,
      page2
        ? { workflows: [{ name: 'projects/p-123456/locations/us-central1/workflows/w2' }] }
        : {
            workflows: [
              {
                name: 'projects/p-123456/locations/us-central1/workflows/w1',
                sourceContents: '- a:\n    return: 1\n',
              },
            ],
            nextPageToken: 't2',
          },
    );
  }
  if (path.endsWith('/workflows/w2'))
    return mode === 'get-denied'
      ? sendJson(res, 403, DENIED)
      : sendJson(res, 200, {
          name: 'projects/p-123456/locations/us-central1/workflows/w2',
          sourceContents: '- b:\n    return: 2\n',
        });
  if (path.endsWith('/locations/us-central1/services'))
    return sendJson(res, 200, {
      services: [
        { name: 'projects/p-123456/locations/us-central1/services/a' },
        { name: 'projects/p-123456/locations/us-central1/services/b' },
      ],
    });
  if (path.endsWith('/services/a:getIamPolicy'))
    return sendJson(res, 200, { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] });
  if (path.endsWith('/services/b:getIamPolicy'))
    return mode === 'scope'
      ? sendJson(res, 403, SCOPE, {
          'www-authenticate':
            'Bearer error="insufficient_scope", scope="https://www.googleapis.com/auth/cloud-platform"',
        })
      : sendJson(res, 403, DENIED);
  if (path.endsWith('/serviceAccounts'))
    return sendJson(res, 200, {
      accounts: [{ email: 'a@p-123456.iam.gserviceaccount.com' }, { email: 'b@p-123456.iam.gserviceaccount.com' }],
    });
  if (path.endsWith('a%40p-123456.iam.gserviceaccount.com/keys'))
    return sendJson(res, 200, { keys: [{ name: 'k1', keyType: 'USER_MANAGED' }] });
  if (path.endsWith('b%40p-123456.iam.gserviceaccount.com/keys')) return sendJson(res, 403, DENIED);
  return sendJson(res, 404, { error: { code: 404, message: `no ${path}`, status: 'NOT_FOUND' } });
});

describe('gathering the sections’ data', () => {
  it('workflows: pages through a region, fetches the source of those listed without one, skips a region Google does not serve', async () => {
    mode = 'normal';
    const g = await gatherWorkflows(google.ctx, 'p-123456', ['us-central1', 'asia-south2']);
    assert.deepEqual(
      g.items.map((i) => [i.workflow.name.split('/').pop(), i.workflow.sourceContents?.trim()]),
      [
        ['w1', '- a:\n    return: 1'],
        ['w2', '- b:\n    return: 2'],
      ],
    );
    assert.deepEqual(g.skippedRegions, ['asia-south2']);
    const gets = google.server.requests.filter((r) => r.url.includes('/workflows/'));
    assert.equal(gets.length, 1, 'one get, for w2 only');
  });
  it('a source the caller may not read becomes the workflow’s problem, not the section’s', async () => {
    mode = 'get-denied';
    const g = await gatherWorkflows(google.ctx, 'p-123456', ['us-central1']);
    assert.equal(g.items[1]?.sourceProblem, 'permission denied');
  });
  it('Cloud Run: a policy denied for one service is noted on it; a missing scope fails the whole section', async () => {
    mode = 'normal';
    const g = await gatherRunServices(google.ctx, 'p-123456', ['us-central1']);
    assert.deepEqual(
      g.items.map((i) => [i.service.name.split('/').pop(), i.policy ? 'policy' : i.policyProblem]),
      [
        ['a', 'policy'],
        ['b', 'permission denied'],
      ],
    );
    mode = 'scope';
    await assert.rejects(
      gatherRunServices(google.ctx, 'p-123456', ['us-central1']),
      (err: { code?: string }) => err.code === 'SCOPE_INSUFFICIENT',
    );
  });
  it('keys: asks Google for user-managed keys only; an account whose keys are denied is noted', async () => {
    mode = 'normal';
    const g = await gatherServiceAccountKeys(google.ctx, 'p-123456');
    assert.ok(google.server.requests.some((r) => r.url.endsWith('/keys?keyTypes=USER_MANAGED')));
    assert.deepEqual(
      g.items.map((i) => [i.account.email, i.keys ? i.keys.length : i.keysProblem]),
      [
        ['a@p-123456.iam.gserviceaccount.com', 1],
        ['b@p-123456.iam.gserviceaccount.com', 'permission denied'],
      ],
    );
  });
  it('the item cap cuts the list and says so', async () => {
    mode = 'normal';
    const g = await gatherServiceAccountKeys(google.ctx, 'p-123456', { maxItems: 1, concurrency: 1 });
    assert.equal(g.items.length, 1);
    assert.equal(g.truncated, true);
  });
});
