// The section loaders against the mock Google: real HTTP, the mock's scope and IAM checks, its fixtures.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MockGoogle } from '../../mock-google/server.js';
import { S, getTokens, startMock } from '../support/mock.js';
import type { GoogleCallContext } from '../../src/google/index.js';
import { loadDiscovery } from '../../src/scopes/index.js';
import {
  buildMethodIndex,
  loadCloudRunSection,
  loadServiceAccountKeysSection,
  loadVmsSection,
  loadWorkflowsSection,
  type SectionInput,
} from '../../src/workloads/index.js';

let mock: MockGoogle;
const tokens = new Map<string, string>();
before(async () => {
  mock = await startMock();
  for (const email of ['alice@example.com', 'bob@example.com']) {
    const { tokens: t } = await getTokens(mock, { email, scope: `openid email ${S.computeRead} ${S.cloud}` });
    tokens.set(email, t.access_token);
  }
});
after(async () => {
  await mock.close();
});

const index = buildMethodIndex(loadDiscovery());
function input(email: string, projectId: string, regions = ['us-central1', 'europe-west1']): SectionInput {
  const ctx: GoogleCallContext = { accessToken: tokens.get(email) ?? '', apiBaseOverride: mock.url, retries: 0 };
  return { ctx, projectId, regions, now: new Date(), index };
}

describe('workload sections against the mock', () => {
  it('VMs of acme-prod: default account + cloud-platform, none attached, legacy full access; the custom one is clean', async () => {
    const o = await loadVmsSection(input('alice@example.com', 'acme-prod'));
    assert.ok(o.status === 'ok', JSON.stringify(o));
    const rows = Object.fromEntries(o.report.rows.map((r) => [r.name, [...r.findingCodes].sort()]));
    assert.deepEqual(rows, {
      'web-1': ['vm-default-account-cloud-platform', 'vm-default-service-account'],
      'web-2': [],
      'worker-1': ['vm-no-service-account'],
      'db-eu-1': ['vm-default-service-account', 'vm-legacy-full-access'],
    });
  });
  it('Cloud Run of acme-prod: identities and invokers from services.list + getIamPolicy', async () => {
    const o = await loadCloudRunSection(input('alice@example.com', 'acme-prod'));
    assert.ok(o.status === 'ok', JSON.stringify(o));
    assert.deepEqual(
      o.report.rows.map((r) => [r.name, r.invocation, [...r.findingCodes].sort()]),
      [
        ['api', 'restricted', []],
        ['frontend', 'public', ['run-default-service-account', 'run-unauthenticated-invocation']],
        ['api-eu', 'any-google-account', ['run-any-google-account-invocation', 'run-implicit-service-account']],
      ],
    );
  });
  it('keys of acme-prod: only user-managed keys, the recent one medium, old ones high, the disabled one low', async () => {
    const o = await loadServiceAccountKeysSection(input('alice@example.com', 'acme-prod'));
    assert.ok(o.status === 'ok', JSON.stringify(o));
    assert.ok(o.report.rows.every((r) => r.keyType === 'USER_MANAGED'));
    const byAccount = (email: string) => o.report.rows.filter((r) => r.account === email).map((r) => r.findingCodes[0]);
    assert.deepEqual(byAccount('svc-03@acme-prod.iam.gserviceaccount.com'), ['sa-key-user-managed']);
    assert.deepEqual(byAccount('svc-09@acme-prod.iam.gserviceaccount.com'), ['sa-key-inactive']);
    assert.deepEqual(byAccount('deployer@acme-prod.iam.gserviceaccount.com'), [
      'sa-key-user-managed-old',
      'sa-key-user-managed-old',
    ]);
    assert.equal(o.report.rows.find((r) => r.account.startsWith('svc-06'))?.keyOrigin, 'USER_PROVIDED');
    assert.equal(o.report.rows.length, 2 + 1 + 6, 'deployer 2, log-reader 1, six svc-NN');
  });
  it('Workflows of acme-prod across two regions, sources from the list', async () => {
    const o = await loadWorkflowsSection(input('alice@example.com', 'acme-prod'));
    assert.ok(o.status === 'ok', JSON.stringify(o));
    assert.deepEqual(
      o.report.rows.map((r) => [r.name, r.region, r.httpCalls.length]),
      [
        ['vm-janitor', 'us-central1', 5],
        ['report-builder', 'us-central1', 7],
        ['clean-pipeline', 'us-central1', 4],
        ['eu-sync', 'europe-west1', 1],
      ],
    );
    assert.equal(o.report.findingCount, 10);
  });
  it('acme-staging: the Workflows API is disabled → a clear line with the enable link, not an error', async () => {
    const o = await loadWorkflowsSection(input('alice@example.com', 'acme-staging'));
    assert.ok(o.status === 'api-disabled', JSON.stringify(o));
    assert.equal(
      o.activationUrl,
      'https://console.cloud.google.com/apis/library/workflows.googleapis.com?project=acme-staging',
    );
  });
  it('bob on acme-data (no role): every section is permission-denied', async () => {
    const inp = input('bob@example.com', 'acme-data');
    const all = await Promise.all([
      loadVmsSection(inp),
      loadCloudRunSection(inp),
      loadServiceAccountKeysSection(inp),
      loadWorkflowsSection(inp),
    ]);
    assert.deepEqual(
      all.map((o) => o.status),
      ['permission-denied', 'permission-denied', 'permission-denied', 'permission-denied'],
    );
    const wf = all[3];
    assert.ok(wf?.status === 'permission-denied');
    assert.equal(wf.permission, 'workflows.workflows.list');
  });
  it('bob on acme-sandbox (owner, nothing deployed): empty lines', async () => {
    const inp = input('bob@example.com', 'acme-sandbox');
    assert.equal((await loadCloudRunSection(inp)).status, 'empty');
    const wf = await loadWorkflowsSection(inp);
    assert.ok(wf.status === 'empty');
    assert.equal(wf.message, 'No workflows in the regions read.');
  });
  it('a token without cloud-platform: the Cloud Run section says which scope is missing', async () => {
    const { tokens: t } = await getTokens(mock, { email: 'alice@example.com', scope: `openid email ${S.runRead}` });
    const o = await loadCloudRunSection({
      ...input('alice@example.com', 'acme-prod'),
      ctx: { accessToken: t.access_token, apiBaseOverride: mock.url, retries: 0 },
    });
    assert.ok(o.status === 'scope-missing', JSON.stringify(o));
    assert.deepEqual(
      o.requiredScopes,
      [S.cloud],
      'services.list passes with run.readonly; getIamPolicy needs cloud-platform',
    );
  });
});
