import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  apiBaseUrl,
  defaultDiscoveryPath,
  DiscoveryError,
  DiscoveryLookupError,
  findMethod,
  loadDiscovery,
  loadDiscoveryFile,
  methodScopes,
  parseDiscovery,
  scopeAuthorizes,
  scopeDescription,
} from '../../src/scopes/index.js';
import { AUTH } from '../support/auth-scope.js';
import { useTempDir } from '../support/temp-dir.js';

const temp = useTempDir('scopewise-discovery-');
const vendoredJson = (): Record<string, unknown> =>
  JSON.parse(readFileSync(defaultDiscoveryPath(), 'utf8')) as Record<string, unknown>;

describe('loadDiscovery', () => {
  it('loads the vendored file by default (found from dist/ and from source)', () => {
    assert.match(defaultDiscoveryPath(), /vendor[/\\]google-discovery[/\\]methods\.json$/);
    const d = loadDiscovery();
    assert.equal(Object.keys(d.methods).length, 28);
    assert.equal(Object.keys(d.source).length, 10);
    assert.ok(d.evidence, 'the app view carries its evidence');
    const raw = loadDiscoveryFile();
    assert.deepEqual(
      raw.methods['iam:v1:projects.serviceAccounts.list']?.scopes,
      [`${AUTH}cloud-platform`],
      'the file as it is',
    );
    assert.deepEqual(
      d.methods['iam:v1:projects.serviceAccounts.list']?.scopes,
      [`${AUTH}cloud-platform`, `${AUTH}iam`],
      'the union',
    );
  });
  it('rejects a file that is not JSON, naming the file', () => {
    const p = temp.write('broken.json', '{ "methods": ');
    assert.throws(
      () => loadDiscovery(p),
      (err: unknown) =>
        err instanceof DiscoveryError &&
        err.code === 'DISCOVERY_INVALID' &&
        err.file === p &&
        err.message.includes(p) &&
        /not valid JSON/.test(err.message),
    );
  });
  it('rejects a malformed file with the file name and the offending field', () => {
    const json = vendoredJson();
    const methods = json['methods'] as Record<string, Record<string, unknown>>;
    (methods['compute:v1:instances.stop'] as Record<string, unknown>)['scopes'] =
      'https://www.googleapis.com/auth/compute';
    const p = temp.write('malformed.json', JSON.stringify(json));
    assert.throws(
      () => loadDiscovery(p),
      (err: unknown) => {
        assert.ok(err instanceof DiscoveryError);
        assert.ok(err.message.startsWith(`Invalid Google Discovery data in ${p}: `), err.message);
        assert.ok(err.message.includes('methods["compute:v1:instances.stop"].scopes: '), err.message);
        return true;
      },
    );
  });
  it('rejects a method whose scope is not declared in scopes', () => {
    const json = vendoredJson();
    const methods = json['methods'] as Record<string, { scopes: string[] }>;
    methods['logging:v2:entries.list']?.scopes.push(`${AUTH}made.up`);
    assert.throws(() => parseDiscovery(json, 'x.json'), /x\.json: .*made\.up.* is not listed in scopes/);
  });
  it('rejects a method key that is not <api>:<version>:<method>, and a method of an API without a source', () => {
    const json = vendoredJson();
    const methods = json['methods'] as Record<string, unknown>;
    methods['compute.instances.list'] = methods['compute:v1:instances.list'];
    assert.throws(
      () => parseDiscovery(json, 'y.json'),
      /y\.json: methods\["compute\.instances\.list"\]: key must be "<api>:<version>:<method>"/,
    );
    const json2 = vendoredJson();
    const methods2 = json2['methods'] as Record<string, unknown>;
    methods2['pubsub:v1:topics.list'] = methods2['compute:v1:instances.list'];
    assert.throws(() => parseDiscovery(json2, 'z.json'), /API "pubsub:v1" has no entry in source/);
  });
  it('reports a missing file as a DiscoveryError naming it', () => {
    const p = temp.path('nope.json');
    assert.throws(
      () => loadDiscovery(p),
      (err: unknown) => err instanceof DiscoveryError && err.message.includes(p),
    );
  });
});

describe('discovery helpers', () => {
  const d = loadDiscovery();
  it('methodScopes returns the Discovery scopes in the doc order', () => {
    assert.deepEqual(methodScopes(d, 'compute:v1:instances.stop'), [`${AUTH}cloud-platform`, `${AUTH}compute`]);
  });
  it('methodScopes throws UNKNOWN_METHOD for an id the data does not list; findMethod returns undefined', () => {
    assert.throws(
      () => methodScopes(d, 'compute:v1:instances.delete'),
      (e: unknown) => e instanceof DiscoveryLookupError && e.code === 'UNKNOWN_METHOD',
    );
    assert.equal(findMethod(d, 'compute:v1:instances.delete'), undefined);
    assert.equal(findMethod(d, 'toString'), undefined);
  });
  it('scopeAuthorizes follows the method scope list', () => {
    assert.equal(scopeAuthorizes(d, `${AUTH}compute.readonly`, 'compute:v1:instances.aggregatedList'), true);
    assert.equal(scopeAuthorizes(d, `${AUTH}compute.readonly`, 'compute:v1:instances.stop'), false);
    assert.equal(scopeAuthorizes(d, `${AUTH}compute`, 'nope:v1:x.y'), false);
  });
  it('scopeDescription gives the merged description and understands email/profile', () => {
    assert.equal(scopeDescription(d, `${AUTH}compute.readonly`), 'View your Google Compute Engine resources');
    assert.equal(scopeDescription(d, 'email'), 'See your primary Google Account email address');
    assert.match(scopeDescription(d, 'profile') ?? '', /personal info/);
    assert.equal(scopeDescription(d, `${AUTH}made.up`), undefined);
  });
  it('apiBaseUrl returns source.baseUrl for an API id or a method id, and throws UNKNOWN_API otherwise', () => {
    assert.equal(apiBaseUrl(d, 'compute:v1'), 'https://compute.googleapis.com/compute/v1/');
    assert.equal(apiBaseUrl(d, 'storage:v1:buckets.list'), 'https://storage.googleapis.com/storage/v1/');
    assert.throws(
      () => apiBaseUrl(d, 'pubsub:v1'),
      (e: unknown) => e instanceof DiscoveryLookupError && e.code === 'UNKNOWN_API',
    );
  });
});
