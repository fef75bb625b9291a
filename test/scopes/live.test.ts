// The live check's pure parts: probes change nothing, Google's answers are classified, results export.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CATALOGUE,
  classifyLiveAnswer,
  exportLiveEvidence,
  formatLiveTable,
  liveFileSchema,
  loadDiscovery,
  methodsToVerify,
  NONEXISTENT_NAME,
  probeFor,
  type LiveResult,
} from '../../src/scopes/index.js';
import { AUTH as A } from '../support/auth-scope.js';

describe('probes', () => {
  it('every catalogue method has a probe; write methods target a resource that cannot exist', () => {
    for (const m of methodsToVerify(CATALOGUE, loadDiscovery())) assert.ok(probeFor(m, { project: 'p' }), m);
    for (const m of ['compute:v1:instances.stop', 'compute:v1:instances.start']) {
      const p = probeFor(m, { project: 'p' });
      assert.equal(p?.pathParams['instance'], NONEXISTENT_NAME);
      assert.match(p?.harmless ?? '', /cannot exist/);
    }
  });
  it('reads ask for one item at most', () => {
    assert.equal(probeFor('storage:v1:buckets.list', { project: 'p' })?.query['maxResults'], '1');
    assert.deepEqual(probeFor('logging:v2:entries.list', { project: 'p' })?.body, {
      resourceNames: ['projects/p'],
      pageSize: 1,
    });
  });
});

describe('classifyLiveAnswer', () => {
  it('accepted: 200, 404, IAM PERMISSION_DENIED, 400', () => {
    assert.equal(classifyLiveAnswer({ status: 200 }), 'accepted');
    assert.equal(classifyLiveAnswer({ status: 404, errorCode: 'NOT_FOUND' }), 'accepted');
    assert.equal(classifyLiveAnswer({ status: 403, errorCode: 'PERMISSION_DENIED' }), 'accepted');
    assert.equal(classifyLiveAnswer({ status: 400, errorCode: 'INVALID_ARGUMENT' }), 'accepted');
  });
  it('refused for scope: the scope-insufficient 403 in any of its shapes', () => {
    assert.equal(
      classifyLiveAnswer({ status: 403, errorCode: 'SCOPE_INSUFFICIENT', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }),
      'refused-for-scope',
    );
  });
  it('unknown: network, timeout, 5xx, 429, an unusable token', () => {
    for (const [status, errorCode] of [
      [0, 'NETWORK'],
      [0, 'TIMEOUT'],
      [503, 'UNAVAILABLE'],
      [500, 'UNAVAILABLE'],
      [429, 'RATE_LIMITED'],
      [401, 'UNAUTHENTICATED'],
    ] as const) {
      assert.equal(classifyLiveAnswer({ status, errorCode }), 'unknown', `${status} ${errorCode}`);
    }
  });
});

describe('results', () => {
  const results: LiveResult[] = [
    {
      methodId: 'logging:v2:entries.list',
      outcome: 'accepted',
      status: 200,
      detail: 'ok',
      checkedAt: '2026-12-01T10:00:00.000Z',
      scopesHeld: [`${A}logging.read`],
    },
    {
      methodId: 'compute:v1:instances.stop',
      outcome: 'refused-for-scope',
      status: 403,
      reason: 'insufficientPermissions',
      detail: 'refused',
      checkedAt: '2026-12-01T10:00:01.000Z',
      scopesHeld: [`${A}logging.read`],
    },
    {
      methodId: 'storage:v1:buckets.list',
      outcome: 'unknown',
      status: 503,
      detail: 'no conclusion',
      checkedAt: '2026-12-01T10:00:02.000Z',
      scopesHeld: [`${A}logging.read`],
    },
  ];
  it('export in the vendored format, "verified live on <date>", leaving unknowns out', () => {
    const out = exportLiveEvidence(results, 'google');
    assert.equal(out.about, 'Verified live on 2026-12-01 against google.');
    assert.deepEqual(
      out.results.map((r) => [r.method, r.outcome, r.verifiedOn]),
      [
        ['logging:v2:entries.list', 'accepted', '2026-12-01'],
        ['compute:v1:instances.stop', 'refused-for-scope', '2026-12-01'],
      ],
    );
    assert.ok(liveFileSchema.safeParse(out).success, 'the check can read it back');
  });
  it('formats a table with the date and the outcome per method', () => {
    const t = formatLiveTable(results);
    assert.match(t, /^Scopes held by the token: logging\.read/);
    assert.match(t, /compute:v1:instances\.stop\s+✗ refused for scope\s+403\s+2026-12-01/);
    assert.match(t, /storage:v1:buckets\.list\s+\? unknown\s+503/);
  });
});
