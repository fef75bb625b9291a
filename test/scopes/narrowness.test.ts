import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareBreadth,
  loadDiscovery,
  minimalScopes,
  narrowestScopeFor,
  scopeRank,
  IDENTITY_SCOPES,
  SCOPE_RANKS,
} from '../../src/scopes/index.js';
import { AUTH as A } from '../support/auth-scope.js';

const s = (short: string): string => A + short;

/** [narrower, broader] pairs that must hold both ways round. */
const NARROWER: readonly [string, string][] = [
  // within a service: read-only < read-write < full
  ['compute.readonly', 'compute'],
  ['devstorage.read_only', 'devstorage.read_write'],
  ['devstorage.read_write', 'devstorage.full_control'],
  ['devstorage.read_only', 'devstorage.full_control'],
  ['logging.read', 'logging.admin'],
  ['logging.write', 'logging.admin'],
  ['run.readonly', 'run'],
  ['monitoring.read', 'monitoring'],
  ['monitoring.write', 'monitoring'],
  ['bigquery.insertdata', 'bigquery'],
  // the cloud-wide pair
  ['cloud-platform.read-only', 'cloud-platform'],
  // a read-only service scope is narrower than cloud-platform.read-only (one service vs all)
  ['compute.readonly', 'cloud-platform.read-only'],
  ['devstorage.read_only', 'cloud-platform.read-only'],
  ['logging.read', 'cloud-platform.read-only'],
  ['run.readonly', 'cloud-platform.read-only'],
  ['monitoring.read', 'cloud-platform.read-only'],
  // every service scope is narrower than cloud-platform, whatever its access
  ['compute.readonly', 'cloud-platform'],
  ['compute', 'cloud-platform'],
  ['devstorage.full_control', 'cloud-platform'],
  ['logging.admin', 'cloud-platform'],
  ['logging.write', 'cloud-platform'],
  ['run', 'cloud-platform'],
  ['monitoring', 'cloud-platform'],
  ['bigquery', 'cloud-platform'],
  ['bigquery.insertdata', 'cloud-platform'],
];

const INCOMPARABLE: readonly [string, string][] = [
  // a service's write scope vs cloud-platform.read-only: more access to less
  ['compute', 'cloud-platform.read-only'],
  ['devstorage.read_write', 'cloud-platform.read-only'],
  ['logging.admin', 'cloud-platform.read-only'],
  ['bigquery', 'cloud-platform.read-only'],
  ['logging.write', 'cloud-platform.read-only'],
  // write-only vs read-only of the same service: neither includes the other
  ['logging.write', 'logging.read'],
  ['monitoring.write', 'monitoring.read'],
  // different services
  ['compute.readonly', 'devstorage.read_only'],
  ['compute.readonly', 'logging.admin'],
  ['run', 'monitoring'],
];

describe('compareBreadth: the narrowness partial order', () => {
  for (const [a, b] of NARROWER) {
    it(`${a} is narrower than ${b}, and ${b} broader than ${a}`, () => {
      assert.equal(compareBreadth(s(a), s(b)), 'narrower');
      assert.equal(compareBreadth(s(b), s(a)), 'broader');
    });
  }
  for (const [a, b] of INCOMPARABLE) {
    it(`${a} and ${b} are incomparable both ways`, () => {
      assert.equal(compareBreadth(s(a), s(b)), 'incomparable');
      assert.equal(compareBreadth(s(b), s(a)), 'incomparable');
    });
  }
  it('every scope is equal to itself, known or not', () => {
    for (const x of [...Object.keys(SCOPE_RANKS), 'openid', s('made.up')]) assert.equal(compareBreadth(x, x), 'equal');
  });
  it('an unknown scope is incomparable with every other scope, even cloud-platform', () => {
    for (const x of [...Object.keys(SCOPE_RANKS), 'openid']) {
      assert.equal(compareBreadth(s('made.up'), x), 'incomparable');
      assert.equal(compareBreadth(x, s('made.up')), 'incomparable');
    }
  });
  it('identity scopes are outside the Cloud order (incomparable with cloud-platform)', () => {
    for (const id of IDENTITY_SCOPES) {
      assert.equal(scopeRank(id), undefined);
      assert.equal(compareBreadth(id, s('cloud-platform')), 'incomparable');
    }
  });
  it('short forms are not scope URIs: compute.readonly without the prefix is unknown', () => {
    assert.equal(compareBreadth('compute.readonly', s('compute')), 'incomparable');
  });
  it('is a partial order over every ranked scope: antisymmetric, consistent both ways and transitive', () => {
    const all = Object.keys(SCOPE_RANKS);
    const flip = { narrower: 'broader', broader: 'narrower', equal: 'equal', incomparable: 'incomparable' } as const;
    for (const a of all) {
      for (const b of all) {
        const ab = compareBreadth(a, b);
        assert.equal(compareBreadth(b, a), flip[ab], `${a} vs ${b}`);
        if (a !== b) assert.notEqual(ab, 'equal', `${a} and ${b} must not rank the same`);
        for (const c of all) {
          if (ab === 'narrower' && compareBreadth(b, c) === 'narrower') {
            assert.equal(compareBreadth(a, c), 'narrower', `${a} < ${b} < ${c}`);
          }
        }
      }
    }
  });
  it('ranks every non-identity scope declared in the vendored Discovery data (the table is complete)', () => {
    const d = loadDiscovery();
    const unranked = Object.keys(d.scopes).filter((x) => !IDENTITY_SCOPES.includes(x) && scopeRank(x) === undefined);
    assert.deepEqual(unranked, []);
  });
});

describe('narrowestScopeFor', () => {
  const EXPECTED: Record<string, string> = {
    'cloudresourcemanager:v3:projects.search': 'cloud-platform.read-only',
    'cloudresourcemanager:v3:projects.list': 'cloud-platform.read-only',
    // the REST reference adds cloudplatformprojects(.readonly); .readonly is ranked read-only by name only (RANK_BASIS)
    'cloudresourcemanager:v3:projects.get': 'cloudplatformprojects.readonly',
    'cloudresourcemanager:v3:projects.getIamPolicy': 'cloudplatformprojects.readonly',
    'cloudresourcemanager:v3:organizations.search': 'cloud-platform.read-only',
    'cloudresourcemanager:v3:folders.list': 'cloud-platform.read-only',
    'compute:v1:instances.aggregatedList': 'compute.readonly',
    'compute:v1:instances.list': 'compute.readonly',
    'compute:v1:instances.get': 'compute.readonly',
    'compute:v1:instances.stop': 'compute',
    'compute:v1:instances.start': 'compute',
    'compute:v1:zones.list': 'compute.readonly',
    'compute:v1:zoneOperations.get': 'compute.readonly',
    'storage:v1:buckets.list': 'devstorage.read_only',
    'storage:v1:buckets.get': 'devstorage.read_only',
    'storage:v1:objects.list': 'devstorage.read_only',
    'logging:v2:entries.list': 'logging.read',
    'logging:v2:entries.write': 'logging.write',
    // the REST reference adds iam, limited to the IAM API
    'iam:v1:projects.serviceAccounts.list': 'iam',
    'iam:v1:projects.serviceAccounts.keys.list': 'iam',
    'iam:v1:projects.serviceAccounts.get': 'iam',
    'workflows:v1:projects.locations.workflows.list': 'cloud-platform',
    'workflows:v1:projects.locations.workflows.get': 'cloud-platform',
    'run:v2:projects.locations.services.list': 'run.readonly',
    'run:v2:projects.locations.services.getIamPolicy': 'cloud-platform',
    'monitoring:v3:projects.timeSeries.list': 'monitoring.read',
    // bigquery (read-write, one service) vs cloud-platform.read-only (read, all): incomparable; a read method
    // never gets a write scope, so the read-only one is chosen.
    'bigquery:v2:datasets.list': 'cloud-platform.read-only',
    // identity scopes are unranked: ties are broken by URI, deterministically
    'oauth2:v2:userinfo.get': 'userinfo.email',
  };
  const d = loadDiscovery();

  it('has an expectation for every method in the vendored data', () => {
    assert.deepEqual(Object.keys(d.methods).sort(), Object.keys(EXPECTED).sort());
  });
  for (const [method, expected] of Object.entries(EXPECTED)) {
    it(`picks ${expected} for ${method}`, () => {
      const accepted = d.methods[method]?.scopes ?? [];
      const want = s(expected);
      assert.equal(narrowestScopeFor(accepted), want);
      assert.equal(narrowestScopeFor([...accepted].reverse()), want, 'independent of input order');
    });
  }
  it('prefers a service read-only scope over cloud-platform.read-only and both over write scopes', () => {
    assert.equal(
      narrowestScopeFor([s('cloud-platform'), s('cloud-platform.read-only'), s('run.readonly')]),
      s('run.readonly'),
    );
    assert.equal(narrowestScopeFor([s('compute'), s('cloud-platform.read-only')]), s('cloud-platform.read-only'));
  });
  it('picks the service write scope over cloud-platform when the method needs write', () => {
    assert.equal(narrowestScopeFor([s('cloud-platform'), s('compute')]), s('compute'));
    assert.equal(
      narrowestScopeFor([s('devstorage.full_control'), s('cloud-platform'), s('devstorage.read_write')]),
      s('devstorage.read_write'),
    );
  });
  it('ranks unknown scopes last but still returns one when nothing else is accepted', () => {
    assert.equal(narrowestScopeFor([s('made.up'), s('cloud-platform')]), s('cloud-platform'));
    assert.equal(narrowestScopeFor([s('zzz'), s('aaa')]), s('aaa'));
  });
  it('returns undefined for a method no scope authorizes', () => {
    assert.equal(narrowestScopeFor([]), undefined);
  });
  it('minimalScopes drops every scope that has a narrower one in the list', () => {
    assert.deepEqual(minimalScopes(d.methods['storage:v1:buckets.list']?.scopes ?? []), [s('devstorage.read_only')]);
    assert.deepEqual(minimalScopes([s('compute'), s('cloud-platform.read-only'), s('cloud-platform')]), [
      s('compute'),
      s('cloud-platform.read-only'),
    ]);
  });
});
