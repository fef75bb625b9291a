// The live check end to end against the mock Google: real calls, real tokens with chosen scopes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MockGoogle } from '../../mock-google/server.js';
import { loadDiscovery, NONEXISTENT_NAME } from '../../src/scopes/index.js';
import { verifyLive } from '../../src/features/live-check.js';
import { mockControl, getTokens, startMock } from '../support/mock.js';
import { AUTH as A } from '../support/auth-scope.js';

let mock: MockGoogle;
before(async () => {
  mock = await startMock();
});
after(() => mock.close());

const data = loadDiscovery();
const fixedNow = () => new Date('2026-12-01T12:00:00Z');

async function tokenWith(scope: string): Promise<string> {
  return (await getTokens(mock, { scope: `openid email ${scope}` })).tokens.access_token;
}

describe('verifyLive against the mock', () => {
  it('compute.readonly: the list is accepted, stop is refused for scope, and the VM is untouched', async () => {
    const accessToken = await tokenWith(`${A}compute.readonly`);
    const results = await verifyLive({
      methods: ['compute:v1:instances.aggregatedList', 'compute:v1:instances.stop'],
      accessToken,
      scopesHeld: ['openid', `${A}compute.readonly`],
      data,
      probe: { project: 'acme-prod' },
      apiBaseOverride: mock.url,
      now: fixedNow,
    });
    assert.deepEqual(
      results.map((r) => [r.methodId, r.outcome, r.status]),
      [
        ['compute:v1:instances.aggregatedList', 'accepted', 200],
        ['compute:v1:instances.stop', 'refused-for-scope', 403],
      ],
    );
    assert.equal(results[1]?.reason, 'insufficientPermissions');
    assert.equal(results[0]?.checkedAt, '2026-12-01T12:00:00.000Z');
    assert.deepEqual(results[0]?.scopesHeld, [`${A}compute.readonly`]);
  });
  it('compute: stop on a name that cannot exist answers 404, which counts as accepted (and stops nothing)', async () => {
    const accessToken = await tokenWith(`${A}compute`);
    const [r] = await verifyLive({
      methods: ['compute:v1:instances.stop'],
      accessToken,
      scopesHeld: [`${A}compute`],
      data,
      probe: { project: 'acme-prod' },
      apiBaseOverride: mock.url,
    });
    assert.equal(r?.outcome, 'accepted');
    assert.equal(r?.status, 404);
    assert.match(r?.detail ?? '', new RegExp(NONEXISTENT_NAME));
    const counts = (await mockControl(mock, 'counts')) as Record<string, number>;
    assert.equal(counts['api:compute:v1:instances.stop'] ?? 0, 2, 'one call per run, never retried');
  });
  it('iam (REST-only scope) is accepted by serviceAccounts.list; IAM refusals count as accepted; 5xx is unknown', async () => {
    const accessToken = await tokenWith(`${A}iam`);
    await mockControl(mock, 'inject', {
      endpoint: 'api:iam:v1:projects.serviceAccounts.keys.list',
      status: 503,
      times: 1,
    });
    const results = await verifyLive({
      methods: [
        'iam:v1:projects.serviceAccounts.list',
        'iam:v1:projects.serviceAccounts.keys.list',
        'logging:v2:entries.list',
      ],
      accessToken,
      scopesHeld: [`${A}iam`],
      data,
      probe: { project: 'acme-sandbox' },
      apiBaseOverride: mock.url,
    });
    assert.deepEqual(
      results.map((r) => [r.outcome, r.status]),
      [
        ['accepted', 403],
        ['unknown', 503],
        ['refused-for-scope', 403],
      ],
    );
  });
  it('a method without a URL or probe is unknown, and an unreachable Google is unknown', async () => {
    const results = await verifyLive({
      methods: ['example:v1:things.list', 'logging:v2:entries.list'],
      accessToken: 'ya29.whatever',
      scopesHeld: [],
      data,
      probe: { project: 'p' },
      apiBaseOverride: 'http://127.0.0.1:9',
      timeoutMs: 2000,
    });
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['unknown', 'unknown'],
    );
    assert.match(results[0]?.detail ?? '', /not in the Discovery data/);
  });
});
