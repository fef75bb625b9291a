import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountSummary,
  CATALOGUE,
  featureReadiness,
  loadDiscovery,
  normaliseScopes,
  scopesToRequest,
  type FeatureScopes as Feature,
} from '../../src/scopes/index.js';
import { catalogueFeature as feature, syntheticFeature } from '../support/scopes.js';
import { AUTH as A } from '../support/auth-scope.js';

const d = loadDiscovery();
const SIGNED_IN = ['openid', `${A}userinfo.email`, `${A}userinfo.profile`];

/** Two methods, each authorized only by its own scope: lets a grant be partial. */
const VMS_AND_BUCKETS = syntheticFeature({
  id: 'vms-and-buckets',
  title: 'VMs and buckets',
  methods: ['compute:v1:instances.aggregatedList', 'storage:v1:buckets.list'],
  scopes: [`${A}compute.readonly`, `${A}devstorage.read_only`],
});

describe('featureReadiness', () => {
  it('nothing granted: every feature needs consent, and the missing scopes are exactly the asked ones', () => {
    for (const f of CATALOGUE) {
      const r = featureReadiness(f, SIGNED_IN, d);
      assert.equal(r.state, 'needs-consent', f.id);
      assert.deepEqual(r.missingScopes, f.scopes, f.id);
      assert.ok(r.methods.every((m) => !m.authorized));
    }
  });
  it('granted the exact asked scope: ready, nothing missing', () => {
    const r = featureReadiness(feature('vms'), [...SIGNED_IN, `${A}compute.readonly`], d);
    assert.equal(r.state, 'ready');
    assert.deepEqual(r.missingScopes, []);
    assert.deepEqual(r.methods, [
      { methodId: 'compute:v1:instances.aggregatedList', authorized: true, authorizedBy: [`${A}compute.readonly`] },
    ]);
  });
  it('granted compute (broader): vms is ready and nothing more is asked', () => {
    const granted = [...SIGNED_IN, `${A}compute`];
    assert.equal(featureReadiness(feature('vms'), granted, d).state, 'ready');
    assert.deepEqual(scopesToRequest(feature('vms'), granted, d), []);
    assert.equal(featureReadiness(feature('vm-power'), granted, d).state, 'ready');
  });
  it('granted cloud-platform: every feature is ready', () => {
    for (const f of CATALOGUE) {
      assert.equal(featureReadiness(f, [...SIGNED_IN, `${A}cloud-platform`], d).state, 'ready', f.id);
      assert.deepEqual(scopesToRequest(f, [...SIGNED_IN, `${A}cloud-platform`], d), [], f.id);
    }
  });
  it('granted cloud-platform.read-only: read features that accept it are ready, vms is not (compute only accepts compute scopes)', () => {
    const granted = [`${A}cloud-platform.read-only`];
    assert.equal(featureReadiness(feature('projects'), granted, d).state, 'ready');
    assert.equal(featureReadiness(feature('buckets'), granted, d).state, 'ready');
    assert.equal(featureReadiness(feature('logs'), granted, d).state, 'ready');
    assert.equal(featureReadiness(feature('vms'), granted, d).state, 'needs-consent');
    assert.equal(featureReadiness(feature('service-accounts'), granted, d).state, 'needs-consent');
  });
  it('compute.readonly does not make vm-power ready: write needs compute', () => {
    const r = featureReadiness(feature('vm-power'), [`${A}compute.readonly`], d);
    assert.equal(r.state, 'needs-consent');
    assert.deepEqual(r.missingScopes, [`${A}compute`]);
  });
  it('a user who unticked one of two scopes: partly granted, and only the unticked scope is missing', () => {
    const r = featureReadiness(VMS_AND_BUCKETS, [...SIGNED_IN, `${A}devstorage.read_only`], d);
    assert.equal(r.state, 'partly-granted');
    assert.deepEqual(r.missingScopes, [`${A}compute.readonly`]);
    assert.deepEqual(
      r.methods.map((m) => [m.methodId, m.authorized]),
      [
        ['compute:v1:instances.aggregatedList', false],
        ['storage:v1:buckets.list', true],
      ],
    );
  });
  it('a broader scope granted elsewhere counts for one method of a two-method feature', () => {
    const r = featureReadiness(VMS_AND_BUCKETS, [`${A}compute`], d);
    assert.equal(r.state, 'partly-granted');
    assert.deepEqual(r.missingScopes, [`${A}devstorage.read_only`]);
  });
  it('an unknown method can never be authorized: the feature is never ready (fails closed)', () => {
    const ghost: Feature = {
      ...feature('vms'),
      methods: ['compute:v1:instances.aggregatedList', 'compute:v1:instances.delete'],
    };
    const r = featureReadiness(ghost, [`${A}cloud-platform`], d);
    assert.equal(r.state, 'partly-granted');
    assert.deepEqual(r.missingScopes, []);
  });
  it('accepts the granted scopes as a space-separated token-response string', () => {
    assert.equal(featureReadiness(feature('logs'), `openid email profile ${A}logging.read`, d).state, 'ready');
  });
});

describe('scopesToRequest', () => {
  it('asks only the scopes still missing, in catalogue order', () => {
    assert.deepEqual(scopesToRequest(VMS_AND_BUCKETS, SIGNED_IN, d), [
      `${A}compute.readonly`,
      `${A}devstorage.read_only`,
    ]);
    assert.deepEqual(scopesToRequest(VMS_AND_BUCKETS, [`${A}compute.readonly`], d), [`${A}devstorage.read_only`]);
    assert.deepEqual(scopesToRequest(VMS_AND_BUCKETS, [`${A}compute.readonly`, `${A}devstorage.read_only`], d), []);
  });
  it('never asks a broad scope for a feature whose narrow scope was unticked: it asks the narrow one again', () => {
    assert.deepEqual(scopesToRequest(feature('logs'), SIGNED_IN, d), [`${A}logging.read`]);
  });
});

describe('normaliseScopes', () => {
  it('maps email/profile to their URIs, splits strings, drops blanks and duplicates, keeps order', () => {
    assert.deepEqual(normaliseScopes(' openid  email profile email '), [
      'openid',
      `${A}userinfo.email`,
      `${A}userinfo.profile`,
    ]);
    assert.deepEqual(normaliseScopes(['profile', `${A}userinfo.profile`, `${A}compute`]), [
      `${A}userinfo.profile`,
      `${A}compute`,
    ]);
    assert.deepEqual(normaliseScopes(''), []);
  });
});

describe('accountSummary', () => {
  it('granted cloud-platform while only vms is used: cloud-platform is excess, compute.readonly is not', () => {
    const s = accountSummary([feature('vms')], [...SIGNED_IN, `${A}compute.readonly`, `${A}cloud-platform`], d);
    assert.deepEqual(s.excess, [`${A}cloud-platform`]);
    assert.equal(s.holdsExcess, true);
    const cp = s.scopes.find((x) => x.scope === `${A}cloud-platform`);
    assert.equal(cp?.short, 'cloud-platform');
    assert.deepEqual(cp?.askedBy, []);
    assert.deepEqual(cp?.usedBy, ['vms'], 'it currently authorizes a vms method');
    assert.deepEqual(cp?.neededBy, [], 'compute.readonly also covers it');
    assert.equal(cp?.stillNeeded, false);
  });
  it('only cloud-platform granted with only vms: excess, but still needed until compute.readonly is granted', () => {
    const s = accountSummary([feature('vms')], [`${A}cloud-platform`], d);
    assert.deepEqual(s.excess, [`${A}cloud-platform`]);
    assert.deepEqual(s.scopes[0]?.neededBy, ['vms']);
    assert.equal(s.scopes[0]?.stillNeeded, true);
  });
  it('only the features Google documents with nothing narrower ask cloud-platform; held, it makes every feature ready', () => {
    const s = accountSummary(CATALOGUE, [...SIGNED_IN, `${A}cloud-platform`, `${A}logging.admin`], d);
    assert.deepEqual(s.excess, [`${A}logging.admin`]);
    const cp = s.scopes.find((x) => x.scope === `${A}cloud-platform`);
    assert.deepEqual(cp?.askedBy, ['workload-cloud-run-invokers', 'workload-workflows']);
    assert.deepEqual(
      cp?.usedBy,
      CATALOGUE.map((f) => f.id),
    );
    assert.ok(s.features.every((f) => f.state === 'ready'));
  });
  it('iam (only the REST reference lists it) makes service-accounts ready', () => {
    assert.equal(featureReadiness(feature('service-accounts'), [...SIGNED_IN, `${A}iam`], d).state, 'ready');
  });
  it('lists each granted scope with its description, identity scopes never excess, and each feature state', () => {
    const s = accountSummary(CATALOGUE, 'openid email profile ' + `${A}compute.readonly`, d);
    assert.deepEqual(s.excess, []);
    assert.equal(s.holdsExcess, false);
    assert.deepEqual(
      s.scopes.map((x) => [x.short, x.identity]),
      [
        ['openid', true],
        ['userinfo.email', true],
        ['userinfo.profile', true],
        ['compute.readonly', false],
      ],
    );
    const ro = s.scopes[3];
    assert.equal(ro?.description, 'View your Google Compute Engine resources');
    // vm-power follows its operations with reads compute.readonly authorizes (it still needs consent for compute).
    assert.deepEqual(ro?.usedBy, ['vms', 'vm-power', 'workload-vms']);
    assert.deepEqual(ro?.neededBy, ['vms', 'vm-power', 'workload-vms']);
    assert.deepEqual(Object.fromEntries(s.features.map((f) => [f.id, f.state])), {
      projects: 'needs-consent',
      vms: 'ready',
      'vm-power': 'needs-consent',
      buckets: 'needs-consent',
      logs: 'needs-consent',
      'cloud-run': 'needs-consent',
      'service-accounts': 'needs-consent',
      'workload-vms': 'ready',
      'workload-cloud-run': 'needs-consent',
      'workload-cloud-run-invokers': 'needs-consent',
      'workload-keys': 'needs-consent',
      'workload-workflows': 'needs-consent',
    });
  });
  it('an unknown granted scope has no description and is excess', () => {
    const s = accountSummary(CATALOGUE, [`${A}drive`], d);
    assert.equal(s.scopes[0]?.description, undefined);
    assert.deepEqual(s.excess, [`${A}drive`]);
  });
});
