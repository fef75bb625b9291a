// Least privilege of Scopewise's own identity: the table `npm run scopes` prints, checked against Discovery.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadDiscovery } from '../../src/scopes/discovery.js';
import {
  LOGGING_WRITE_SCOPE,
  OWN_IDENTITY_NEEDS,
  checkOwnNeeds,
  formatOwnNeedsTable,
  ownNeedsRows,
  type OwnNeed,
} from '../../src/identity/own-needs.js';
import { demoWorkloadEnv } from '../../demo/workload.js';

describe('own needs', () => {
  it('the roles are exactly roles/logging.logWriter (project) and roles/run.invoker (the receiving service)', () => {
    const roles = OWN_IDENTITY_NEEDS.flatMap((n) => n.roles.map((r) => `${r.role} on ${r.on}`));
    assert.deepEqual(roles, [
      'roles/logging.logWriter on project PROJECT_ID',
      'roles/run.invoker on the receiving Cloud Run service',
    ]);
  });

  it('every own scope is accepted by its method and is the narrowest one (Discovery data)', () => {
    assert.deepEqual(checkOwnNeeds(loadDiscovery()), []);
  });

  const broken = (scopes: string[]): OwnNeed[] => [
    {
      id: 'x',
      option: 'x',
      enabledBy: 'X',
      roles: [],
      calls: [{ what: 'w', methodKey: 'logging:v2:entries.write', token: { kind: 'access-token', scopes } }],
    },
  ];
  it('a cloud-wide scope is a finding', () => {
    const codes = checkOwnNeeds(loadDiscovery(), broken(['https://www.googleapis.com/auth/cloud-platform'])).map(
      (f) => f.code,
    );
    assert.deepEqual(codes, ['OWN_SCOPE_CLOUD_WIDE', 'OWN_SCOPE_NOT_NARROWEST']);
  });
  it('a scope the method does not accept is a finding', () => {
    const codes = checkOwnNeeds(loadDiscovery(), broken(['https://www.googleapis.com/auth/logging.read'])).map(
      (f) => f.code,
    );
    assert.deepEqual(codes, ['OWN_SCOPE_NOT_ACCEPTED', 'OWN_SCOPE_NOT_NARROWEST']);
  });
  it('a broader accepted scope is a finding', () => {
    const codes = checkOwnNeeds(loadDiscovery(), broken(['https://www.googleapis.com/auth/logging.admin'])).map(
      (f) => f.code,
    );
    assert.deepEqual(codes, ['OWN_SCOPE_NOT_NARROWEST']);
  });

  it('the printed table names each option, its token and role, and the grant commands', () => {
    const text = formatOwnNeedsTable();
    assert.match(
      text,
      /Audit export to Cloud Logging\s+AUDIT_SINK=cloud-logging:PROJECT_ID\/LOG_ID\s+logging\.entries\.write\s+logging\.write\s+roles\/logging\.logWriter on project PROJECT_ID/,
    );
    assert.match(text, /ID token, aud=AUDIT_WEBHOOK_AUDIENCE/);
    assert.match(
      text,
      /gcloud run services add-iam-policy-binding SERVICE --region=REGION --member=serviceAccount:SA_EMAIL --role=roles\/run\.invoker/,
    );
    assert.ok(!/cloud-platform/.test(text));
    assert.equal(ownNeedsRows().find((r) => r.id === 'audit-cloud-logging')?.tokens[0], 'logging.write');
    assert.equal(LOGGING_WRITE_SCOPE, 'https://www.googleapis.com/auth/logging.write');
  });
});

describe('DEMO_WORKLOAD', () => {
  it('off unless DEMO_WORKLOAD=1', () => {
    assert.deepEqual(demoWorkloadEnv({}, 'http://127.0.0.1:4000'), {});
  });
  it('the mock metadata server only (never a developer’s own credentials), and both exports', () => {
    assert.deepEqual(demoWorkloadEnv({ DEMO_WORKLOAD: '1' }, 'http://127.0.0.1:4000'), {
      SCOPEWISE_IDENTITY: 'metadata',
      GCE_METADATA_HOST: '127.0.0.1:4000',
      GCE_METADATA_IP: '',
      AUDIT_SINK: 'cloud-logging:acme-prod/scopewise-audit',
      AUDIT_WEBHOOK_URL: 'http://127.0.0.1:4000/cloudrun/audit-receiver/events',
      AUDIT_FLUSH_MS: '250',
    });
  });
});
