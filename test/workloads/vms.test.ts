import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FINDING_TEXTS, reviewVms, type VmInput } from '../../src/workloads/index.js';
import { AUTH as A } from '../support/auth-scope.js';

const DEFAULT = '123456789012-compute@developer.gserviceaccount.com';
const vm = (name: string, serviceAccounts?: { email: string; scopes?: string[] }[]): VmInput => ({
  name,
  zone: 'us-central1-a',
  status: 'RUNNING',
  ...(serviceAccounts ? { serviceAccounts } : {}),
});
const codes = (vms: VmInput[]) =>
  reviewVms(vms)
    .findings.map((f) => f.code)
    .sort();

describe('VMs section rules', () => {
  it('a user-managed account with cloud-platform is what Google recommends: no finding', () => {
    assert.deepEqual(
      codes([vm('web', [{ email: 'web@p.iam.gserviceaccount.com', scopes: [`${A}cloud-platform`] }])]),
      [],
    );
  });
  it('no service account: vm-no-service-account (low), unless the caller says none is expected', () => {
    const r = reviewVms([vm('batch')]);
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.severity]),
      [['vm-no-service-account', 'low']],
    );
    assert.equal(r.rows[0]?.serviceAccount, undefined);
    assert.equal(reviewVms([vm('batch')], { expectsServiceAccount: () => false }).findingCount, 0);
  });
  it('the default compute account is flagged; with cloud-platform also the high finding', () => {
    assert.deepEqual(
      codes([vm('a', [{ email: DEFAULT, scopes: [`${A}devstorage.read_only`, `${A}logging.write`] }])]),
      ['vm-default-service-account'],
    );
    const r = reviewVms([vm('b', [{ email: DEFAULT, scopes: [`${A}cloud-platform`] }])]);
    assert.deepEqual(
      r.findings.map((f) => f.code),
      ['vm-default-account-cloud-platform', 'vm-default-service-account'],
      'most severe first',
    );
    assert.equal(r.findings[0]?.severity, 'high');
    assert.equal(r.bySeverity.high, 1);
    assert.equal(r.rows[0]?.defaultAccount, true);
    assert.deepEqual(r.rows[0]?.scopes, ['cloud-platform']);
  });
  it('the legacy per-API full-access set (compute + devstorage.full_control) is flagged, on any account', () => {
    const legacy = [`${A}compute`, `${A}devstorage.full_control`, `${A}bigquery`, `${A}userinfo.email`];
    const r = reviewVms([vm('old', [{ email: 'old@p.iam.gserviceaccount.com', scopes: legacy }])]);
    assert.deepEqual(
      r.findings.map((f) => f.code),
      ['vm-legacy-full-access'],
    );
    assert.match(r.findings[0]?.message ?? '', /compute, devstorage\.full_control, bigquery/);
    assert.deepEqual(
      codes([vm('rw', [{ email: 'x@p.iam.gserviceaccount.com', scopes: [`${A}compute`] }])]),
      [],
      'compute alone is not the legacy set',
    );
  });
  it('every finding says what Google recommends and links the guide', () => {
    const r = reviewVms([vm('b', [{ email: DEFAULT, scopes: [`${A}cloud-platform`] }]), vm('c')]);
    for (const f of r.findings) {
      assert.equal(f.recommendation, FINDING_TEXTS[f.code].recommendation);
      assert.match(f.guide.url, /^https:\/\/cloud\.google\.com\//);
      assert.ok(f.message.length > 0 && !f.message.includes('\n'));
    }
    assert.match(r.whyItMatters, /metadata server/);
  });
  it('unreachable zones become a note, not a finding', () => {
    const r = reviewVms([], { unreachableZones: ['asia-east1-c'] });
    assert.equal(r.findingCount, 0);
    assert.deepEqual(
      r.notes.map((n) => n.code),
      ['vm-list-partial'],
    );
  });
});
