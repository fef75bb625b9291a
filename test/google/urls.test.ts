import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiRoot, methodUrl } from '../../src/google/urls.js';
import { InvalidInputError } from '../../src/google/ids.js';

const COMPUTE = 'https://compute.googleapis.com/compute/v1/';
const CRM = 'https://cloudresourcemanager.googleapis.com/';

test('apiRoot without override is the Discovery baseUrl', () => {
  assert.equal(apiRoot(COMPUTE), COMPUTE);
  assert.equal(apiRoot(COMPUTE, ''), COMPUTE);
  assert.equal(apiRoot(CRM), CRM);
  assert.equal(apiRoot('https://compute.googleapis.com/compute/v1'), COMPUTE);
});

test('apiRoot with override B → B/<host>/<rest> (contract example)', () => {
  assert.equal(apiRoot(COMPUTE, 'http://127.0.0.1:4000'), 'http://127.0.0.1:4000/compute.googleapis.com/compute/v1/');
  assert.equal(apiRoot(CRM, 'http://127.0.0.1:4000'), 'http://127.0.0.1:4000/cloudresourcemanager.googleapis.com/');
});

test('apiRoot strips any number of trailing slashes of B and keeps a path prefix', () => {
  assert.equal(apiRoot(COMPUTE, 'http://127.0.0.1:4000/'), 'http://127.0.0.1:4000/compute.googleapis.com/compute/v1/');
  assert.equal(
    apiRoot(COMPUTE, 'http://127.0.0.1:4000////'),
    'http://127.0.0.1:4000/compute.googleapis.com/compute/v1/',
  );
  assert.equal(
    apiRoot(COMPUTE, 'http://mock.test:8080/google/'),
    'http://mock.test:8080/google/compute.googleapis.com/compute/v1/',
  );
  assert.equal(apiRoot(COMPUTE, 'https://mock.test/a/b//'), 'https://mock.test/a/b/compute.googleapis.com/compute/v1/');
});

test('apiRoot refuses bad overrides and non-https baseUrls', () => {
  assert.throws(() => apiRoot(COMPUTE, 'not a url'), TypeError);
  assert.throws(() => apiRoot(COMPUTE, 'ftp://x/'), TypeError);
  assert.throws(() => apiRoot(COMPUTE, 'http://x/?a=1'), TypeError);
  assert.throws(() => apiRoot(COMPUTE, 'http://user:pw@x/'), TypeError);
  assert.throws(() => apiRoot('http://compute.googleapis.com/compute/v1/'), TypeError);
});

test('methodUrl fills placeholders with encodeURIComponent', () => {
  const root = apiRoot(COMPUTE);
  assert.equal(
    methodUrl(root, 'projects/{project}/zones/{zone}/instances/{instance}/stop', {
      project: 'my-proj',
      zone: 'us-central1-a',
      instance: 'vm-1',
    }),
    'https://compute.googleapis.com/compute/v1/projects/my-proj/zones/us-central1-a/instances/vm-1/stop',
  );
  const iam = apiRoot('https://iam.googleapis.com/');
  assert.equal(
    methodUrl(iam, 'v1/projects/{projectsId}/serviceAccounts/{serviceAccountsId}/keys', {
      projectsId: 'p-123456',
      serviceAccountsId: 'sa@p-123456.iam.gserviceaccount.com',
    }),
    'https://iam.googleapis.com/v1/projects/p-123456/serviceAccounts/sa%40p-123456.iam.gserviceaccount.com/keys',
  );
});

test('methodUrl keeps hostile values inside their path segment', () => {
  const root = apiRoot(COMPUTE);
  const path = 'projects/{project}/aggregated/instances';
  assert.equal(methodUrl(root, path, { project: 'a/b' }), `${COMPUTE}projects/a%2Fb/aggregated/instances`);
  assert.equal(methodUrl(root, path, { project: '../x' }), `${COMPUTE}projects/..%2Fx/aggregated/instances`);
  assert.equal(methodUrl(root, path, { project: '%2e%2e' }), `${COMPUTE}projects/%252e%252e/aggregated/instances`);
  assert.equal(methodUrl(root, path, { project: 'a?b#c' }), `${COMPUTE}projects/a%3Fb%23c/aggregated/instances`);
  assert.equal(methodUrl(root, path, { project: 'a\\b' }), `${COMPUTE}projects/a%5Cb/aggregated/instances`);
});

test('methodUrl rejects empty, "." and ".." values (a URL parser would collapse them)', () => {
  const root = apiRoot(COMPUTE);
  const path = 'projects/{project}/aggregated/instances';
  for (const bad of ['', '.', '..']) {
    assert.throws(
      () => methodUrl(root, path, { project: bad }),
      (e: unknown) => e instanceof InvalidInputError && e.field === 'project',
    );
  }
});

test('methodUrl rejects missing, extra and reserved-expansion parameters', () => {
  const root = apiRoot(COMPUTE);
  assert.throws(() => methodUrl(root, 'projects/{project}', {}), TypeError);
  assert.throws(() => methodUrl(root, 'projects/{project}', { project: 'p', zone: 'z' }), TypeError);
  assert.throws(() => methodUrl(root, 'v3/{+name}', { name: 'projects/p' }), TypeError);
  assert.throws(() => methodUrl('https://x/no-slash', 'a', {}), TypeError);
});

test('methodUrl appends query params, skipping undefined, repeating arrays, %20 for spaces', () => {
  const root = apiRoot(CRM, 'http://127.0.0.1:4000/');
  const url = methodUrl(
    root,
    'v3/projects:search',
    {},
    {
      query: 'state:ACTIVE displayName:a&b',
      pageSize: 50,
      pageToken: undefined,
      flag: true,
      keyTypes: ['USER_MANAGED', 'SYSTEM_MANAGED'],
    },
  );
  assert.equal(
    url,
    'http://127.0.0.1:4000/cloudresourcemanager.googleapis.com/v3/projects:search?query=state%3AACTIVE%20displayName%3Aa%26b&pageSize=50&flag=true&keyTypes=USER_MANAGED&keyTypes=SYSTEM_MANAGED',
  );
  assert.equal(new URL(url).searchParams.get('query'), 'state:ACTIVE displayName:a&b');
  assert.equal(
    methodUrl(root, 'v3/projects:search', {}, { pageToken: undefined }),
    'http://127.0.0.1:4000/cloudresourcemanager.googleapis.com/v3/projects:search',
  );
});
