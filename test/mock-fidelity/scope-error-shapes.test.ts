// Per-API insufficient-scope 403s in the shapes each API really returns: the mock produces them, the app's error
// mapping classifies every one as SCOPE_INSUFFICIENT, and a feature page reacts by asking again (not an error).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { insufficientScope } from '../../mock-google/cloud/errors.js';
import type { ApiMethod } from '../../mock-google/methods.js';
import { parseGoogleError } from '../../src/google/errors.js';
import { startStack, type Stack } from '../support/stack.js';
import { googleErrorJson, grantLink } from '../support/index.js';

const method = (host: string): ApiMethod => ({
  key: 'k',
  api: 'a:v1',
  id: 'x.y',
  httpMethod: 'GET',
  path: 'p',
  host,
  mockRoot: '/',
  regex: /x/,
  paramNames: [],
});

describe('the app classifies every shape as scope-insufficient', () => {
  for (const host of [
    'storage.googleapis.com',
    'compute.googleapis.com',
    'run.googleapis.com',
    'iam.googleapis.com',
    'logging.googleapis.com',
  ]) {
    it(`${host} (the mock's shape, with its WWW-Authenticate header)`, () => {
      const e = insufficientScope(method(host), 'rpc', ['https://www.googleapis.com/auth/cloud-platform']);
      const err = parseGoogleError(e.status, e.headers, JSON.stringify(e.body));
      assert.equal(err.code, 'SCOPE_INSUFFICIENT');
      assert.deepEqual(err.requiredScopes, ['https://www.googleapis.com/auth/cloud-platform']);
    });
    it(`${host} (the body alone, header stripped by a proxy)`, () => {
      const e = insufficientScope(method(host), 'rpc', []);
      assert.equal(parseGoogleError(403, {}, JSON.stringify(e.body)).code, 'SCOPE_INSUFFICIENT');
    });
  }
  it('the minimal gRPC-style body (message and status only), with or without the header', () => {
    const body = googleErrorJson(403, 'Request had insufficient authentication scopes.', {
      status: 'PERMISSION_DENIED',
    });
    assert.equal(parseGoogleError(403, {}, body).code, 'SCOPE_INSUFFICIENT');
    assert.equal(
      parseGoogleError(
        403,
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="a b"' },
        body,
      ).code,
      'SCOPE_INSUFFICIENT',
    );
  });
  it('an IAM refusal stays PERMISSION_DENIED', () => {
    const body = googleErrorJson(403, "Permission 'x' denied on resource (or it may not exist).", {
      status: 'PERMISSION_DENIED',
    });
    assert.equal(parseGoogleError(403, {}, body).code, 'PERMISSION_DENIED');
  });
});

describe("Scopewise's reaction to each shape on a feature page", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());
  const cases = [
    {
      feature: 'buckets',
      path: '/buckets?project=acme-prod',
      method: 'storage:v1:buckets.list',
      host: 'storage.googleapis.com',
    },
    {
      feature: 'cloud-run',
      path: '/cloud-run?project=acme-prod&region=us-central1',
      method: 'run:v2:projects.locations.services.list',
      host: 'run.googleapis.com',
    },
  ];
  for (const c of cases) {
    it(`${c.feature}: Google's ${c.host} insufficient-scope body → "grant again" page with a consent link, not an error page`, async () => {
      const b = await stack.signIn('alice@example.com');
      assert.equal((await stack.grant(b, c.feature, c.path)).status, 200);
      const e = insufficientScope(method(c.host), 'rpc', []);
      await stack.control('inject', { endpoint: `api:${c.method}`, status: 403, body: e.body, times: 1 });
      const page = await stack.follow(b, c.path);
      assert.ok(page.status < 500, `status ${page.status}`);
      assert.match(page.html, /Google refused: this session lacks the access this feature needs/);
      assert.match(grantLink(page.html) ?? '', new RegExp(`^/consent/${c.feature}\\?.*again=1`));
    });
  }
});
