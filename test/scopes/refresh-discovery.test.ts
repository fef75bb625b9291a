import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildMethodsFile,
  diffMethodsFiles,
  discoveryUrl,
  findDocMethod,
  formatDiff,
  parseDiscoveryDoc,
  serialiseMethodsFile,
  type DiscoveryDoc,
  type DiscoveryDocResource,
} from '../../scripts/refresh-discovery.js';
import { loadDiscoveryFile, parseDiscovery, type Discovery } from '../../src/scopes/index.js';
import { AUTH as A } from '../support/auth-scope.js';

/** A tiny fake Discovery doc in Google's shape: nested resources, flatPath on one method, an auth map. */
function fakeIamDoc(keysListScopes: string[] = [`${A}cloud-platform`]): DiscoveryDoc {
  return {
    kind: 'discovery#restDescription',
    name: 'iam',
    version: 'v1',
    revision: '20990101',
    rootUrl: 'https://iam.googleapis.com/',
    servicePath: '',
    baseUrl: 'https://iam.googleapis.com/',
    auth: {
      oauth2: {
        scopes: {
          [`${A}cloud-platform`]: { description: 'Everything.' },
          [`${A}iam.readonly`]: { description: 'Read IAM.' },
        },
      },
    },
    resources: {
      projects: {
        resources: {
          serviceAccounts: {
            methods: {
              list: {
                id: 'iam.projects.serviceAccounts.list',
                httpMethod: 'GET',
                path: 'v1/{+name}/serviceAccounts',
                flatPath: 'v1/projects/{projectsId}/serviceAccounts',
                scopes: [`${A}cloud-platform`, `${A}iam.readonly`],
                parameters: { name: { type: 'string' } },
              },
            },
            resources: {
              keys: {
                methods: {
                  list: {
                    id: 'iam.projects.serviceAccounts.keys.list',
                    httpMethod: 'GET',
                    path: 'v1/{+name}/keys',
                    scopes: keysListScopes,
                  },
                },
              },
            },
          },
        },
      },
    },
  } as DiscoveryDoc;
}

function previousIam(): Discovery {
  return parseDiscovery({
    source: {
      'iam:v1': {
        repo: 'google/googleapis.dart',
        path: 'discovery/googleapis/iam__v1.json',
        commit: 'abc',
        revision: '20260320',
        baseUrl: 'https://iam.googleapis.com/',
      },
    },
    scopes: { [`${A}cloud-platform`]: { description: 'Everything.', apis: ['iam:v1'] } },
    apiScopes: { 'iam:v1': { [`${A}cloud-platform`]: 'Everything.' } },
    methods: {
      'iam:v1:projects.serviceAccounts.list': {
        id: 'iam.projects.serviceAccounts.list',
        httpMethod: 'GET',
        path: 'old',
        restPath: 'old',
        scopes: [`${A}cloud-platform`],
      },
      'iam:v1:projects.serviceAccounts.keys.list': {
        id: 'iam.projects.serviceAccounts.keys.list',
        httpMethod: 'GET',
        path: 'v1/{+name}/keys',
        restPath: 'v1/{+name}/keys',
        scopes: [`${A}cloud-platform`],
      },
    },
  });
}

/** Rebuilds Discovery docs from a methods.json (what Google would serve for the same revisions). */
function docsFrom(file: Discovery): Record<string, DiscoveryDoc> {
  const docs: Record<string, DiscoveryDoc> = {};
  for (const [api, src] of Object.entries(file.source)) {
    const [name, version] = api.split(':');
    const scopes: Record<string, { description: string }> = {};
    for (const [uri, text] of Object.entries(file.apiScopes[api] ?? {})) scopes[uri] = { description: text };
    docs[api] = {
      name,
      version,
      revision: src.revision,
      baseUrl: src.baseUrl,
      auth: { oauth2: { scopes } },
      resources: {},
    } as DiscoveryDoc;
  }
  for (const [key, m] of Object.entries(file.methods)) {
    const [name, version, path = ''] = key.split(':');
    const doc = docs[`${name}:${version}`];
    assert.ok(doc);
    const parts = path.split('.');
    const method = parts.pop() ?? '';
    let node: DiscoveryDocResource = doc;
    for (const r of parts) {
      node.resources ??= {};
      node = node.resources[r] ??= {};
    }
    node.methods ??= {};
    node.methods[method] = {
      id: m.id,
      httpMethod: m.httpMethod,
      path: m.restPath,
      ...(m.path !== m.restPath ? { flatPath: m.path } : {}),
      scopes: [...m.scopes],
    };
  }
  return docs;
}

describe('refresh-discovery transform', () => {
  it('builds the Discovery URL of an API', () => {
    assert.equal(discoveryUrl('compute:v1'), 'https://www.googleapis.com/discovery/v1/apis/compute/v1/rest');
  });
  it('walks nested resources to a method, and falls back to searching by method id', () => {
    const doc = fakeIamDoc();
    assert.equal(
      findDocMethod(doc, 'projects.serviceAccounts.keys.list')?.id,
      'iam.projects.serviceAccounts.keys.list',
    );
    assert.equal(findDocMethod(doc, 'projects.serviceAccounts.get'), undefined);
    const moved: DiscoveryDoc = {
      name: 'iam',
      resources: { elsewhere: { methods: { x: { id: 'iam.projects.serviceAccounts.list' } } } },
    };
    assert.equal(findDocMethod(moved, 'projects.serviceAccounts.list')?.id, 'iam.projects.serviceAccounts.list');
  });
  it('rewrites methods (flatPath as path, raw path as restPath), apiScopes, merged scopes and source from a fake doc', () => {
    const { file, errors } = buildMethodsFile(previousIam(), { 'iam:v1': fakeIamDoc() }, '2099-01-02');
    assert.deepEqual(errors, []);
    assert.deepEqual(file.methods['iam:v1:projects.serviceAccounts.list'], {
      id: 'iam.projects.serviceAccounts.list',
      httpMethod: 'GET',
      path: 'v1/projects/{projectsId}/serviceAccounts',
      restPath: 'v1/{+name}/serviceAccounts',
      scopes: [`${A}cloud-platform`, `${A}iam.readonly`],
    });
    assert.equal(file.methods['iam:v1:projects.serviceAccounts.keys.list']?.path, 'v1/{+name}/keys');
    assert.deepEqual(file.apiScopes['iam:v1'], {
      [`${A}cloud-platform`]: 'Everything.',
      [`${A}iam.readonly`]: 'Read IAM.',
    });
    assert.deepEqual(file.scopes[`${A}iam.readonly`], { description: 'Read IAM.', apis: ['iam:v1'] });
    assert.deepEqual(file.source['iam:v1'], {
      repo: 'https://www.googleapis.com/discovery/v1/apis',
      path: 'iam/v1/rest',
      commit: 'live (fetched 2099-01-02)',
      revision: '20990101',
      baseUrl: 'https://iam.googleapis.com/',
      url: 'https://www.googleapis.com/discovery/v1/apis/iam/v1/rest',
      fetchedAt: '2099-01-02',
    });
    assert.doesNotThrow(() => parseDiscovery(JSON.parse(serialiseMethodsFile(file)), 'refreshed'));
  });
  it('summarises changed scope lists, and --check sees no change when only non-scope fields moved', () => {
    const before = previousIam();
    const same = buildMethodsFile(before, { 'iam:v1': fakeIamDoc() }, '2099-01-02').file;
    const d1 = diffMethodsFiles(before, same);
    assert.deepEqual(d1.scopeChanges, [
      { methodId: 'iam:v1:projects.serviceAccounts.list', added: [`${A}iam.readonly`], removed: [] },
    ]);
    assert.deepEqual(d1.revisions, [{ api: 'iam:v1', from: '20260320', to: '20990101' }]);
    assert.deepEqual(d1.otherMethodChanges, [
      { methodId: 'iam:v1:projects.serviceAccounts.list', fields: ['path', 'restPath'] },
    ]);
    const text = formatDiff(d1);
    assert.match(text, /SCOPES iam:v1:projects\.serviceAccounts\.list: \+iam\.readonly/);
    assert.match(text, /revision iam:v1: 20260320 → 20990101/);
    assert.match(text, /auth scopes iam:v1: \+iam\.readonly/);

    const again = buildMethodsFile(same, { 'iam:v1': fakeIamDoc() }, '2099-01-03').file;
    const d2 = diffMethodsFiles(same, again);
    assert.deepEqual(d2.scopeChanges, []);
    assert.match(formatDiff(d2), /No method scope list changed\./);

    const dropped = buildMethodsFile(same, { 'iam:v1': fakeIamDoc([]) }, '2099-01-03').file;
    assert.deepEqual(diffMethodsFiles(same, dropped).scopeChanges, [
      { methodId: 'iam:v1:projects.serviceAccounts.keys.list', added: [], removed: [`${A}cloud-platform`] },
    ]);
  });
  it('reports (and does not invent) a listed method that the live doc no longer has, and a missing doc', () => {
    const doc = fakeIamDoc();
    delete doc.resources?.['projects']?.resources?.['serviceAccounts']?.resources;
    const r = buildMethodsFile(previousIam(), { 'iam:v1': doc }, '2099-01-02');
    assert.deepEqual(r.errors, [
      'iam:v1:projects.serviceAccounts.keys.list: method not found in https://www.googleapis.com/discovery/v1/apis/iam/v1/rest',
    ]);
    assert.deepEqual(buildMethodsFile(previousIam(), {}, '2099-01-02').errors, [
      'iam:v1: no Discovery document fetched',
    ]);
  });
  it('round-trips the vendored file: docs with the same content give the same methods, apiScopes and scopes', () => {
    const vendored = loadDiscoveryFile();
    const { file, errors } = buildMethodsFile(vendored, docsFrom(vendored), '2099-01-02');
    assert.deepEqual(errors, []);
    // A per-method `provenance` (a method copied from elsewhere) is dropped by a refresh: the live doc replaces it.
    const withoutProvenance = Object.fromEntries(
      Object.entries(vendored.methods).map(([k, { provenance: _p, ...m }]) => [k, m]),
    );
    assert.deepEqual(file.methods, withoutProvenance);
    assert.deepEqual(file.apiScopes, vendored.apiScopes);
    assert.deepEqual(file.scopes, vendored.scopes);
    assert.deepEqual(
      JSON.stringify(Object.keys(file.scopes)),
      JSON.stringify(Object.keys(vendored.scopes)),
      'same key order',
    );
    assert.deepEqual(diffMethodsFiles(vendored, file).scopeChanges, []);
  });
  it('rejects a fetched body that is not a Discovery document', () => {
    assert.throws(
      () => parseDiscoveryDoc({ resources: 'nope' }, 'https://x/rest'),
      /https:\/\/x\/rest: not a Discovery document/,
    );
    assert.equal(parseDiscoveryDoc(fakeIamDoc(), 'u').name, 'iam');
  });
});
