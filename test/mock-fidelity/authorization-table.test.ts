// The mock authorizes from its own table (transcribed from Google's REST reference); the app from its union of
// sources. They must agree: a wrong entry on either side fails here instead of agreeing silently.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AUTHORIZATION, diffAuthorization } from '../../mock-google/cloud/authorization.js';
import { loadDiscovery } from '../../src/scopes/index.js';
import { AUTH as A } from '../support/auth-scope.js';

function appTable(): Record<string, readonly string[]> {
  const d = loadDiscovery();
  return Object.fromEntries(Object.entries(d.methods).map(([k, m]) => [k, m.scopes]));
}

describe("the mock's authorization table vs the app's union of sources", () => {
  it('agree on every method', () => {
    assert.deepEqual(diffAuthorization(AUTHORIZATION, appTable()), []);
  });
  it('a seeded disagreement fails: the mock drops iam from serviceAccounts.list', () => {
    const seeded = { ...AUTHORIZATION, 'iam:v1:projects.serviceAccounts.list': { scopes: [`${A}cloud-platform`] } };
    assert.deepEqual(diffAuthorization(seeded, appTable()), [
      { method: 'iam:v1:projects.serviceAccounts.list', onlyInMock: [], onlyInOther: [`${A}iam`] },
    ]);
  });
  it('a seeded disagreement fails: the app side gains a scope Google does not list', () => {
    const app = {
      ...appTable(),
      'logging:v2:entries.list': [...(appTable()['logging:v2:entries.list'] ?? []), `${A}logging.write`],
    };
    assert.deepEqual(diffAuthorization(AUTHORIZATION, app), [
      { method: 'logging:v2:entries.list', onlyInMock: [], onlyInOther: [`${A}logging.write`] },
    ]);
  });
  it('a method only one side knows is a difference too', () => {
    const { ['compute:v1:zones.list']: _gone, ...rest } = AUTHORIZATION;
    assert.deepEqual(
      diffAuthorization(rest, appTable()).map((d) => d.method),
      ['compute:v1:zones.list'],
    );
  });
  it('every entry cites where it was transcribed from; the REST ones cite a Google reference page', () => {
    for (const [k, e] of Object.entries(AUTHORIZATION)) {
      assert.ok(e.via.cite.length > 10, k);
      if (e.via.kind === 'rest-reference') assert.match(e.via.cite, /^https:\/\/cloud\.google\.com\//i, k);
    }
  });
  it('the table is data in the mock, not read from the vendored files', () => {
    const src = readFileSync(
      fileURLToPath(new URL('../../../mock-google/cloud/authorization.ts', import.meta.url)),
      'utf8',
    );
    assert.doesNotMatch(src, /readFileSync|methods\.json['"]|google-rest-reference/);
  });
});
