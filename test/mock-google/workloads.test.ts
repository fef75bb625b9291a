// The mock's workload-identity APIs and fixtures: Google's shapes, the same bearer + scope checks as every API.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceDisabledErrorInfo } from '../support/google-errors.js';
import { S, api, getTokens, useMock } from '../support/mock.js';

const mock = useMock();
const token = async (scope: string, email = 'alice@example.com') =>
  (await getTokens(mock, { email, scope: `openid email ${scope}` })).tokens.access_token;
const WF = 'workflows.googleapis.com/v1/projects';
const RUN = 'run.googleapis.com/v2/projects';

describe('mock Workflows API', () => {
  it('needs a bearer token and cloud-platform, like every other API (scopes from methods.json)', async () => {
    assert.equal((await api(mock, `${WF}/acme-prod/locations/us-central1/workflows`)).status, 401);
    const narrow = await api(mock, `${WF}/acme-prod/locations/us-central1/workflows`, await token(S.computeRead));
    assert.equal(narrow.status, 403);
    assert.equal(narrow.body.error.details[0].reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
    assert.match(narrow.headers.get('www-authenticate') ?? '', new RegExp(`scope="${S.cloud}"`));
  });
  it('lists a region’s workflows with their source and service account (none when unset)', async () => {
    const t = await token(S.cloud);
    const us = await api(mock, `${WF}/acme-prod/locations/us-central1/workflows`, t);
    assert.equal(us.status, 200);
    assert.deepEqual(
      us.body.workflows.map((w: { name: string }) => w.name.split('/').pop()),
      ['vm-janitor', 'report-builder', 'clean-pipeline'],
    );
    assert.equal(
      us.body.workflows[0].serviceAccount,
      'projects/acme-prod/serviceAccounts/123456789012-compute@developer.gserviceaccount.com',
    );
    assert.match(us.body.workflows[1].sourceContents, /^\{\n {2}"main"/);
    const eu = await api(mock, `${WF}/acme-prod/locations/europe-west1/workflows`, t);
    assert.equal(eu.body.workflows[0].serviceAccount, undefined);
    assert.deepEqual((await api(mock, `${WF}/acme-prod/locations/asia-northeast1/workflows`, t)).body, {});
    assert.equal((await api(mock, `${WF}/acme-prod/locations/-/workflows`, t)).status, 400, 'no wildcard location');
    const one = await api(mock, `${WF}/acme-data/locations/us-central1/workflows/etl-orchestrator`, t);
    assert.match(one.body.sourceContents, /^- list_datasets:/);
    assert.equal((await api(mock, `${WF}/acme-prod/locations/us-central1/workflows/nope`, t)).status, 404);
  });
  it('acme-staging has the API disabled: Google’s SERVICE_DISABLED answer, even for someone without a role there', async () => {
    for (const email of ['alice@example.com', 'dave@other.example']) {
      const r = await api(mock, `${WF}/acme-staging/locations/us-central1/workflows`, await token(S.cloud, email));
      assert.equal(r.status, 403, email);
      assert.equal(r.body.error.status, 'PERMISSION_DENIED');
      assert.match(
        r.body.error.message,
        /^Workflows API has not been used in project 234567890123 before or it is disabled\. Enable it by visiting https:\/\/console\.developers\.google\.com\/apis\/api\/workflows\.googleapis\.com\/overview\?project=234567890123 then retry\./,
      );
      assert.deepEqual(
        r.body.error.details[0],
        serviceDisabledErrorInfo('workflows.googleapis.com', '234567890123', {
          containerInfo: '234567890123',
          serviceTitle: 'Workflows API',
        }),
      );
      assert.deepEqual(
        r.body.error.details.map((d: { '@type': string }) => d['@type'].split('.').pop()),
        ['ErrorInfo', 'LocalizedMessage', 'Help'],
      );
    }
  });
  it('IAM: bob has no role on acme-data, alice only compute.admin on acme-sandbox → IAM_PERMISSION_DENIED', async () => {
    const bob = await api(
      mock,
      `${WF}/acme-data/locations/us-central1/workflows`,
      await token(S.cloud, 'bob@example.com'),
    );
    assert.equal(bob.status, 403);
    assert.equal(bob.body.error.details[0].reason, 'IAM_PERMISSION_DENIED');
    assert.equal(bob.body.error.details[0].metadata.permission, 'workflows.workflows.list');
    assert.equal(
      (await api(mock, `${WF}/acme-sandbox/locations/us-central1/workflows`, await token(S.cloud))).status,
      403,
    );
    assert.deepEqual(
      (await api(mock, `${WF}/acme-sandbox/locations/us-central1/workflows`, await token(S.cloud, 'bob@example.com')))
        .body,
      {},
      'bob owns the empty sandbox',
    );
  });
});

describe('mock Cloud Run getIamPolicy and identities', () => {
  it('getIamPolicy accepts only cloud-platform (Discovery), not run.readonly', async () => {
    const r = await api(
      mock,
      `${RUN}/acme-prod/locations/us-central1/services/frontend:getIamPolicy`,
      await token(S.runRead),
    );
    assert.equal(r.status, 403);
    assert.equal(r.body.error.details[0].reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
  });
  it('answers invokers per service; an empty policy is just its etag', async () => {
    const t = await token(S.cloud);
    const members = async (region: string, name: string, project = 'acme-prod') =>
      (await api(mock, `${RUN}/${project}/locations/${region}/services/${name}:getIamPolicy`, t)).body;
    assert.deepEqual((await members('us-central1', 'frontend')).bindings, [
      { role: 'roles/run.invoker', members: ['allUsers'] },
    ]);
    assert.deepEqual((await members('europe-west1', 'api-eu')).bindings, [
      { role: 'roles/run.invoker', members: ['allAuthenticatedUsers'] },
    ]);
    const empty = await members('us-central1', 'etl-trigger', 'acme-data');
    assert.deepEqual(Object.keys(empty), ['etag']);
    assert.equal((await api(mock, `${RUN}/acme-prod/locations/us-central1/services/nope:getIamPolicy`, t)).status, 404);
  });
  it('services carry their identity: explicit default, custom, or none; etl-trigger has the invoker check disabled', async () => {
    const t = await token(S.runRead);
    const prod = await api(mock, `${RUN}/acme-prod/locations/-/services`, t);
    const sa = Object.fromEntries(
      prod.body.services.map((s: { name: string; template: { serviceAccount?: string } }) => [
        s.name.split('/').pop(),
        s.template.serviceAccount ?? null,
      ]),
    );
    assert.deepEqual(sa, {
      api: 'svc-02@acme-prod.iam.gserviceaccount.com',
      frontend: '123456789012-compute@developer.gserviceaccount.com',
      'api-eu': null,
    });
    const data = await api(mock, `${RUN}/acme-data/locations/us-central1/services`, t);
    assert.equal(data.body.services[0].invokerIamDisabled, true);
  });
});

describe('mock VM identities and keys', () => {
  it('instances: default + cloud-platform, custom account, none (no field at all), legacy full access', async () => {
    const r = await api(
      mock,
      'compute.googleapis.com/compute/v1/projects/acme-prod/aggregated/instances',
      await token(S.computeRead),
    );
    const all = Object.values(
      r.body.items as Record<
        string,
        { instances?: { name: string; serviceAccounts?: { email: string; scopes: string[] }[] }[] }
      >,
    ).flatMap((z) => z.instances ?? []);
    const by = Object.fromEntries(all.map((i) => [i.name, i.serviceAccounts]));
    assert.equal(all.length, 4, 'the VM list the other features show is unchanged');
    assert.deepEqual(by['web-1'], [{ email: '123456789012-compute@developer.gserviceaccount.com', scopes: [S.cloud] }]);
    assert.deepEqual(by['web-2'], [{ email: 'svc-01@acme-prod.iam.gserviceaccount.com', scopes: [S.cloud] }]);
    assert.ok('worker-1' in by);
    assert.equal(by['worker-1'], undefined, 'no serviceAccounts field when none is attached');
    assert.ok(
      by['db-eu-1']?.[0]?.scopes.includes(S.compute) &&
        by['db-eu-1']?.[0]?.scopes.includes('https://www.googleapis.com/auth/devstorage.full_control'),
    );
  });
  it('keys: svc-03 recent, svc-06 uploaded, svc-09 disabled', async () => {
    const t = await token(S.cloud);
    const keys = async (n: string) =>
      (
        await api(
          mock,
          `iam.googleapis.com/v1/projects/acme-prod/serviceAccounts/svc-${n}@acme-prod.iam.gserviceaccount.com/keys?keyTypes=USER_MANAGED`,
          t,
        )
      ).body.keys[0];
    const recent = await keys('03');
    assert.ok(Date.now() - Date.parse(recent.validAfterTime) < 13 * 86_400_000);
    assert.equal((await keys('06')).keyOrigin, 'USER_PROVIDED');
    assert.equal((await keys('09')).disabled, true);
  });
});
