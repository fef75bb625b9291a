import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertCatalogue,
  CATALOGUE,
  CatalogueError,
  checkCatalogue,
  FEATURE_IDS,
  loadDiscovery,
  SIGN_IN_SCOPES,
  type FeatureScopes as Feature,
  type Finding,
} from '../../src/scopes/index.js';
import { catalogueFeature as feature } from '../support/scopes.js';
import { AUTH as A } from '../support/auth-scope.js';

const d = loadDiscovery();

/** The real catalogue with one feature replaced. */
function withFeature(changed: Feature): Feature[] {
  return CATALOGUE.map((f) => (f.id === changed.id ? changed : f));
}
function only(findings: Finding[]): Finding {
  assert.equal(findings.length, 1, JSON.stringify(findings, null, 2));
  return findings[0] as Finding;
}

describe('the real catalogue', () => {
  it('passes the check with no findings', () => {
    assert.deepEqual(checkCatalogue(CATALOGUE, d), []);
    assert.doesNotThrow(() => assertCatalogue(CATALOGUE, d));
  });
  it('has exactly the contract feature ids, in order', () => {
    assert.deepEqual(
      CATALOGUE.map((f) => f.id),
      [...FEATURE_IDS],
    );
  });
  it('asks the narrowest scope of each feature', () => {
    const asked = Object.fromEntries(CATALOGUE.map((f) => [f.id, f.scopes.map((s) => s.replace(A, ''))]));
    assert.deepEqual(asked, {
      projects: ['cloud-platform.read-only'],
      vms: ['compute.readonly'],
      'vm-power': ['compute'],
      buckets: ['devstorage.read_only'],
      logs: ['logging.read'],
      'cloud-run': ['run.readonly'],
      'service-accounts': ['iam'],
      'workload-vms': ['compute.readonly'],
      'workload-cloud-run': ['run.readonly'],
      'workload-cloud-run-invokers': ['cloud-platform'],
      'workload-keys': ['iam'],
      'workload-workflows': ['cloud-platform'],
    });
  });
  it('flags broadOnly exactly where Google documents only a cloud-wide scope (projects), and says nothing untrue', () => {
    assert.deepEqual(
      CATALOGUE.filter((f) => f.broadOnly !== undefined).map((f) => f.id),
      ['projects', 'workload-cloud-run-invokers', 'workload-workflows'],
    );
    for (const f of CATALOGUE) {
      for (const text of [f.broadOnly, f.accessNote, f.summary, f.why])
        assert.doesNotMatch(text ?? '', /offers no narrower scope|accepts only the cloud-platform/, f.id);
    }
    assert.match(feature('service-accounts').accessNote ?? '', /no read-only scope for the IAM API/);
  });
  it('keeps VM power separate: viewing VMs never holds write access', () => {
    // Following the operation and reading the VM afterwards use vm-power's own scope (both accept compute).
    assert.deepEqual(feature('vm-power').methods, [
      'compute:v1:instances.stop',
      'compute:v1:instances.start',
      'compute:v1:zoneOperations.get',
      'compute:v1:instances.get',
    ]);
    assert.ok(!feature('vms').scopes.includes(`${A}compute`));
  });
  it('signs in with identity scopes only', () => {
    assert.deepEqual(SIGN_IN_SCOPES, ['openid', 'email', 'profile']);
  });
  it('service-accounts asks iam, which only the REST reference lists: cloud-platform would now be broader than needed', () => {
    assert.deepEqual(checkCatalogue([feature('service-accounts')], d), []);
    const f = only(
      checkCatalogue([{ ...feature('service-accounts'), scopes: [`${A}cloud-platform`] }], d).filter(
        (x) => x.code !== 'broad-only-note-missing',
      ),
    );
    assert.equal(f.code, 'broader-than-needed');
    assert.equal(f.suggestion, `${A}iam`);
  });
});

describe('checkCatalogue rejects', () => {
  it('vms asking compute instead of compute.readonly (broader-than-needed), naming feature and method', () => {
    const f = only(checkCatalogue(withFeature({ ...feature('vms'), scopes: [`${A}compute`] }), d));
    assert.equal(f.code, 'broader-than-needed');
    assert.equal(f.featureId, 'vms');
    assert.equal(f.methodId, 'compute:v1:instances.aggregatedList');
    assert.equal(f.scope, `${A}compute`);
    assert.equal(f.suggestion, `${A}compute.readonly`);
    assert.match(
      f.message,
      /Feature "vms" asks for compute for compute:v1:instances\.aggregatedList, but the narrower compute\.readonly/,
    );
  });
  it('vms asking cloud-platform: the narrowest alternative is suggested (compute.readonly)', () => {
    const findings = checkCatalogue([{ ...feature('vms'), scopes: [`${A}cloud-platform`] }], d);
    const f = findings.find((x) => x.code === 'broader-than-needed');
    assert.equal(f?.suggestion, `${A}compute.readonly`);
  });
  it('a feature asking cloud-platform where cloud-platform.read-only would do', () => {
    const f = only(checkCatalogue(withFeature({ ...feature('projects'), scopes: [`${A}cloud-platform`] }), d));
    assert.equal(f.code, 'broader-than-needed');
    assert.equal(f.featureId, 'projects');
    assert.equal(f.methodId, 'cloudresourcemanager:v3:projects.search');
    assert.equal(f.suggestion, `${A}cloud-platform.read-only`);
    assert.match(f.message, /projects\.search, cloudresourcemanager:v3:projects\.getIamPolicy/);
  });
  it('buckets asking devstorage.full_control (read_only would do)', () => {
    const f = only(checkCatalogue([{ ...feature('buckets'), scopes: [`${A}devstorage.full_control`] }], d));
    assert.equal(f.code, 'broader-than-needed');
    assert.equal(f.suggestion, `${A}devstorage.read_only`);
  });
  it('a method that none of the asked scopes authorizes (method-not-authorized)', () => {
    const broken = { ...feature('vm-power'), scopes: [`${A}compute.readonly`] };
    const findings = checkCatalogue(withFeature(broken), d);
    const notAuth = findings.filter((x) => x.code === 'method-not-authorized');
    assert.deepEqual(
      notAuth.map((x) => x.methodId),
      ['compute:v1:instances.stop', 'compute:v1:instances.start'],
    );
    assert.equal(notAuth[0]?.featureId, 'vm-power');
    assert.match(
      notAuth[0]?.message ?? '',
      /Feature "vm-power" calls compute:v1:instances\.stop, but none of the scopes it asks for \(compute\.readonly\) authorizes it/,
    );
    // compute.readonly still authorizes the feature's reads (zoneOperations.get, instances.get): needed, not enough.
    assert.ok(!findings.some((x) => x.code === 'unneeded-scope'));
  });
  it('an extra scope that no method of the feature needs (unneeded-scope)', () => {
    const f = only(
      checkCatalogue(withFeature({ ...feature('logs'), scopes: [`${A}logging.read`, `${A}compute.readonly`] }), d),
    );
    assert.equal(f.code, 'unneeded-scope');
    assert.equal(f.featureId, 'logs');
    assert.equal(f.scope, `${A}compute.readonly`);
    assert.match(
      f.message,
      /Feature "logs" asks for compute\.readonly, but none of its methods \(logging:v2:entries\.list\) needs it/,
    );
  });
  it('an unknown method id (unknown-method)', () => {
    const f = only(
      checkCatalogue(
        withFeature({
          ...feature('vms'),
          methods: ['compute:v1:instances.aggregatedList', 'compute:v1:instances.delete'],
        }),
        d,
      ),
    );
    assert.equal(f.code, 'unknown-method');
    assert.equal(f.featureId, 'vms');
    assert.equal(f.methodId, 'compute:v1:instances.delete');
    assert.match(f.message, /Feature "vms" calls compute:v1:instances\.delete, which the Discovery data/);
  });
  it('a scope no Discovery doc declares (unknown-scope)', () => {
    const findings = checkCatalogue(
      [{ ...feature('logs'), scopes: [`${A}logging.read`, `${A}logging.everything`] }],
      d,
    );
    const f = only(findings);
    assert.equal(f.code, 'unknown-scope');
    assert.equal(f.scope, `${A}logging.everything`);
  });
  it('two features with the same id (duplicate-feature-id)', () => {
    const f = only(checkCatalogue([...CATALOGUE, feature('logs')], d));
    assert.equal(f.code, 'duplicate-feature-id');
    assert.equal(f.featureId, 'logs');
  });
  it('a scope made redundant by a broader one the feature also asks for', () => {
    const both: Feature = {
      ...feature('vm-power'),
      id: 'vm-both',
      methods: ['compute:v1:instances.aggregatedList', 'compute:v1:instances.stop'],
      scopes: [`${A}compute.readonly`, `${A}compute`],
    };
    const f = only(checkCatalogue([both], d));
    assert.equal(f.code, 'redundant-scope');
    assert.equal(f.scope, `${A}compute.readonly`);
  });
  it('a cloud-wide scope without a broadOnly note, and a stale note', () => {
    const { broadOnly: _drop, ...noNote } = feature('projects');
    assert.equal(only(checkCatalogue([noNote], d)).code, 'broad-only-note-missing');
    assert.equal(only(checkCatalogue([{ ...feature('vms'), broadOnly: 'x' }], d)).code, 'broad-only-note-stale');
  });
  it('an empty feature and an id unfit for URLs', () => {
    const codes = checkCatalogue([{ ...feature('logs'), id: 'Logs View', methods: [], scopes: [] }], d).map(
      (x) => x.code,
    );
    assert.deepEqual(codes, ['invalid-feature-id', 'no-methods', 'no-scopes']);
  });
});

describe('assertCatalogue', () => {
  it('throws CATALOGUE_INVALID listing every finding', () => {
    const broken = withFeature({ ...feature('vms'), scopes: [`${A}compute`] });
    assert.throws(
      () => assertCatalogue(broken, d),
      (err: unknown) => {
        assert.ok(err instanceof CatalogueError);
        assert.equal(err.code, 'CATALOGUE_INVALID');
        assert.equal(err.findings.length, 1);
        assert.match(err.message, /\[broader-than-needed\] Feature "vms"/);
        return true;
      },
    );
  });
});
