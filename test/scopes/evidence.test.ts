// Two (three) sources of scope truth: union, disagreements, notes, live evidence, splitting, explanations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CATALOGUE,
  checkCatalogue,
  checkSources,
  explainFeature,
  loadDiscovery,
  loadScopeEvidence,
  mergeEvidence,
  methodEvidence,
  scopeDescription,
  type FeatureScopes as Feature,
  type ScopeEvidence,
} from '../../src/scopes/index.js';
import { syntheticFeature } from '../support/scopes.js';
import { AUTH as A } from '../support/auth-scope.js';

const ev = loadScopeEvidence();
const SA_LIST = 'iam:v1:projects.serviceAccounts.list';

function withEvidence(patch: Partial<ScopeEvidence>): ScopeEvidence {
  return { ...ev, ...patch };
}

describe('the vendored evidence', () => {
  it('has zero unresolved disagreements and no stale note', () => {
    assert.deepEqual(checkSources(ev), []);
    assert.deepEqual(checkCatalogue(CATALOGUE, loadDiscovery()), []);
  });
  it('records provenance for every REST entry: a URL and the date read, or why there is none', () => {
    for (const [id, e] of Object.entries(ev.rest.methods)) {
      assert.equal(e.readOn, '2026-12-01', id);
      if (e.status === 'found') assert.match(e.url, /^https:\/\//, id);
      else assert.ok(e.note ?? e.searched, `${id}: says why no list was recorded`);
    }
  });
  it('takes the union: iam (REST only) and cloud-platform (both) authorize serviceAccounts.list', () => {
    const m = methodEvidence(ev, SA_LIST);
    assert.deepEqual([...m.accepted].sort(), [`${A}cloud-platform`, `${A}iam`]);
    const iam = m.scopes.find((s) => s.scope === `${A}iam`);
    assert.deepEqual(iam?.listedBy, ['rest-reference']);
    assert.deepEqual(iam?.silentOrAgainst, ['discovery']);
    assert.equal(iam?.note?.believe, 'rest-reference');
  });
  it('accepts a scope only the REST source declares, without inventing a description', () => {
    const d = mergeEvidence(ev);
    assert.ok(Object.hasOwn(d.scopes, `${A}iam`));
    assert.equal(scopeDescription(d, `${A}iam`), undefined, 'no Google description was found: the UI shows the URI');
  });
});

describe('source disagreements', () => {
  it('a disagreement without a note is a finding naming the method, the scope and both sides', () => {
    const notes = ev.notes.filter((n) => !(n.method === SA_LIST && n.scope === `${A}iam`));
    const f = checkSources(withEvidence({ notes }));
    assert.equal(f.length, 1);
    assert.equal(f[0]?.code, 'source-disagreement');
    assert.equal(f[0]?.methodId, SA_LIST);
    assert.match(f[0]?.message ?? '', /iam is listed by rest-reference but not by discovery/);
    const findings = checkCatalogue(CATALOGUE, mergeEvidence(withEvidence({ notes })));
    assert.deepEqual(
      findings.map((x) => [x.code, x.featureId]),
      [['source-disagreement', 'service-accounts,workload-keys']],
    );
  });
  it('a note that believes the silent source removes the scope from the union', () => {
    const notes = ev.notes.map((n) =>
      n.method === SA_LIST && n.scope === `${A}iam` ? { ...n, believe: 'discovery' as const } : n,
    );
    assert.deepEqual(methodEvidence(withEvidence({ notes }), SA_LIST).accepted, [`${A}cloud-platform`]);
  });
  it('a note with nothing to resolve is stale', () => {
    const notes = [
      ...ev.notes,
      { method: 'compute:v1:instances.stop', scope: `${A}compute`, believe: 'discovery' as const, note: 'x' },
    ];
    assert.deepEqual(
      checkSources(withEvidence({ notes })).map((f) => f.code),
      ['stale-source-note'],
    );
  });
  it('live evidence against real Google is a third source: a refusal contradicting the union must be resolved', () => {
    const live = [
      {
        method: 'logging:v2:entries.list',
        scopesHeld: [`${A}logging.read`],
        outcome: 'refused-for-scope' as const,
        status: 403,
        verifiedOn: '2026-12-01',
        against: 'google',
      },
    ];
    const f = checkSources(withEvidence({ live }));
    assert.deepEqual(
      f.map((x) => [x.code, x.scope]),
      [['source-disagreement', `${A}logging.read`]],
    );
    assert.deepEqual(
      checkSources(withEvidence({ live: live.map((l) => ({ ...l, against: 'mock' })) })),
      [],
      'mock runs never count',
    );
  });
  it("Google's live refusal removes the scope from what the check accepts for the method, whatever the files say", () => {
    const refusal = {
      method: 'logging:v2:entries.list',
      scopesHeld: ['openid', `${A}logging.read`],
      outcome: 'refused-for-scope' as const,
      status: 403,
      verifiedOn: '2026-12-01',
      against: 'google',
    };
    const listed = methodEvidence(ev, 'logging:v2:entries.list');
    assert.ok(listed.accepted.includes(`${A}logging.read`), 'both files list it');
    const refused = methodEvidence(withEvidence({ live: [refusal] }), 'logging:v2:entries.list');
    assert.ok(!refused.accepted.includes(`${A}logging.read`), `accepted: ${refused.accepted.join(', ')}`);
    const verdict = refused.scopes.find((v) => v.scope === `${A}logging.read`);
    assert.equal(verdict?.accepted, false);
    assert.deepEqual(verdict?.silentOrAgainst.includes('live'), true);
    // The method's other scopes keep what the files say.
    assert.deepEqual(
      refused.accepted,
      listed.accepted.filter((s) => s !== `${A}logging.read`),
    );
    // A run against the mock is no evidence about Google: it changes nothing.
    assert.deepEqual(
      methodEvidence(withEvidence({ live: [{ ...refusal, against: 'mock' }] }), 'logging:v2:entries.list').accepted,
      listed.accepted,
    );
  });

  it('a conclusive live acceptance of a scope no file lists adds it (with a disagreement to resolve)', () => {
    const live = [
      {
        method: 'run:v2:projects.locations.services.list',
        scopesHeld: ['openid', `${A}cloud-platform.read-only`],
        outcome: 'accepted' as const,
        status: 200,
        verifiedOn: '2026-12-01',
        against: 'google',
      },
    ];
    const m = methodEvidence(withEvidence({ live }), 'run:v2:projects.locations.services.list');
    assert.ok(m.accepted.includes(`${A}cloud-platform.read-only`));
    assert.equal(checkSources(withEvidence({ live }))[0]?.code, 'source-disagreement');
  });
});

describe('splitting one broad scope into narrower per-API scopes', () => {
  const d = loadDiscovery();
  const synthetic = syntheticFeature({
    id: 'audit',
    title: 'Audit',
    methods: ['logging:v2:entries.list', 'storage:v1:buckets.list'],
    scopes: [`${A}cloud-platform.read-only`],
    broadOnly: 'test',
  });
  it('reports the set logging.read + devstorage.read_only instead of cloud-platform.read-only', () => {
    const f = checkCatalogue([synthetic], d);
    assert.deepEqual(
      f.map((x) => x.code),
      ['split-available'],
    );
    assert.deepEqual(f[0]?.suggestions, [`${A}logging.read`, `${A}devstorage.read_only`]);
    assert.match(f[0]?.message ?? '', /logging\.read, devstorage\.read_only together authorize them/);
  });
  it('is silent when one method has no narrower scope (projects.search needs cloud-platform.read-only)', () => {
    const f = checkCatalogue(
      [{ ...synthetic, methods: ['logging:v2:entries.list', 'cloudresourcemanager:v3:projects.search'] }],
      d,
    );
    assert.deepEqual(f, []);
  });
  it('asking the split set passes', () => {
    assert.deepEqual(
      checkCatalogue(
        [{ ...synthetic, scopes: [`${A}logging.read`, `${A}devstorage.read_only`], broadOnly: undefined } as Feature],
        d,
      ),
      [],
    );
  });
});

describe('explanations for people', () => {
  const d = loadDiscovery();
  it('service accounts: the sources per method, not verified live, and cloud-platform rejected as broader', () => {
    const e = explainFeature(CATALOGUE.find((f) => f.id === 'service-accounts')!, d);
    assert.deepEqual(e.asked, [`${A}iam`]);
    assert.deepEqual(e.methods[0]?.askedListedBy[`${A}iam`], ['rest-reference']);
    assert.deepEqual(e.methods[0]?.discovery, [`${A}cloud-platform`]);
    assert.equal(e.methods[0]?.rest.status, 'found');
    assert.equal(e.verifiedLiveOn, null);
    assert.deepEqual(e.considered, [{ scope: `${A}cloud-platform`, reason: 'broader than iam' }]);
  });
  it('projects: the narrower cloudplatformprojects.readonly is rejected because projects.search is not documented with it', () => {
    const e = explainFeature(CATALOGUE.find((f) => f.id === 'projects')!, d);
    const c = e.considered.find((x) => x.scope === `${A}cloudplatformprojects.readonly`);
    assert.match(c?.reason ?? '', /does not authorize cloudresourcemanager:v3:projects\.search/);
    assert.ok(e.notes.some((n) => /projects\.search/.test(n)));
  });
  it('shows the live date once every method was accepted live with the asked scope', () => {
    const live = ['logging:v2:entries.list'].map((method) => ({
      method,
      scopesHeld: [`${A}logging.read`],
      outcome: 'accepted' as const,
      status: 200,
      verifiedOn: '2026-11-30',
      against: 'google',
    }));
    const e = explainFeature(CATALOGUE.find((f) => f.id === 'logs')!, mergeEvidence(withEvidence({ live })));
    assert.equal(e.verifiedLiveOn, '2026-11-30');
    assert.deepEqual(e.methods[0]?.askedListedBy[`${A}logging.read`], ['discovery', 'live']);
  });
});
