import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadDiscovery } from '../../src/scopes/index.js';
import {
  acceptedScopes,
  buildMethodIndex,
  httpMethodsOf,
  isCustomMethodUrl,
  matchMethods,
  resolveMethod,
  urlParts,
  urlShape,
} from '../../src/workloads/index.js';

const d = loadDiscovery();
const index = buildMethodIndex(d);
const S = (s: string) => `https://www.googleapis.com/auth/${s}`;
const lit = (value: string) => urlShape(urlParts({ kind: 'string', value }));
const expr = (text: string) => urlShape(urlParts({ kind: 'expression', text }));

describe('URL → method → scopes', () => {
  it('acceptedScopes is the Discovery list (the one function to point at more data later)', () => {
    assert.deepEqual(acceptedScopes(d, 'compute:v1:instances.stop'), [S('cloud-platform'), S('compute')]);
    assert.deepEqual(acceptedScopes(d, 'no:v1:such.method'), []);
  });
  it('a literal URL maps to its method, query ignored', () => {
    const r = resolveMethod(
      index,
      lit('https://compute.googleapis.com/compute/v1/projects/p1/aggregated/instances?maxResults=5'),
      'GET',
    );
    assert.deepEqual(r, {
      status: 'mapped',
      methodIds: ['compute:v1:instances.aggregatedList'],
      accepted: d.methods['compute:v1:instances.aggregatedList']?.scopes,
      narrowest: S('compute.readonly'),
    });
  });
  it('the HTTP verb counts: POST …/stop is stop, GET …/stop is no method', () => {
    const url = lit('https://compute.googleapis.com/compute/v1/projects/p1/zones/us-central1-a/instances/vm1/stop');
    assert.deepEqual(matchMethods(index, url, 'POST'), ['compute:v1:instances.stop']);
    assert.deepEqual(resolveMethod(index, url, 'GET'), { status: 'unknown' });
  });
  it('custom verbs (:getIamPolicy, entries:list) and www.googleapis.com for path-prefixed APIs', () => {
    assert.deepEqual(
      matchMethods(
        index,
        lit('https://run.googleapis.com/v2/projects/p1/locations/us-central1/services/api:getIamPolicy'),
        'GET',
      ),
      ['run:v2:projects.locations.services.getIamPolicy'],
    );
    assert.deepEqual(matchMethods(index, lit('https://logging.googleapis.com/v2/entries:list'), 'POST'), [
      'logging:v2:entries.list',
    ]);
    assert.deepEqual(matchMethods(index, lit('https://www.googleapis.com/storage/v1/b/bucket/o'), 'GET'), [
      'storage:v1:objects.list',
    ]);
    assert.deepEqual(
      matchMethods(index, lit('https://www.googleapis.com/v2/entries:list'), 'POST'),
      [],
      'logging has no path prefix, so no www alias',
    );
  });
  it('expressions: literal parts are kept, computed parts stand for a segment (or, failing that, several)', () => {
    const one = expr(
      '${"https://compute.googleapis.com/compute/v1/projects/" + project + "/zones/" + zone + "/instances/" + name + "/stop"}',
    );
    assert.equal(
      one.display,
      'https://compute.googleapis.com/compute/v1/projects/${project}/zones/${zone}/instances/${name}/stop',
    );
    assert.deepEqual(matchMethods(index, one, 'POST'), ['compute:v1:instances.stop']);
    const agg = expr('${"https://compute.googleapis.com/compute/v1/projects/" + project + "/aggregated/instances"}');
    assert.deepEqual(
      matchMethods(index, agg, 'GET'),
      ['compute:v1:instances.aggregatedList'],
      'not instances.list: a variable is first one segment',
    );
    const path = expr('${"https://compute.googleapis.com/compute/v1/" + instance_path + "/start"}');
    assert.deepEqual(
      matchMethods(index, path, 'POST'),
      ['compute:v1:instances.start'],
      'a variable may hold a resource path',
    );
    const verb = expr('${"https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm/" + action}');
    const r = resolveMethod(index, verb, 'POST');
    assert.equal(r.status, 'mapped', 'stop and start need the same scope, so the answer is still one scope');
    assert.ok(r.status === 'mapped');
    assert.deepEqual([...r.methodIds].sort(), ['compute:v1:instances.start', 'compute:v1:instances.stop']);
    assert.equal(r.narrowest, S('compute'));
  });
  it('candidates that need different scopes are ambiguous; an unknown host is unresolved', () => {
    const r = resolveMethod(index, expr('${"https://compute.googleapis.com/compute/v1/" + path}'), undefined);
    assert.equal(r.status, 'ambiguous', 'any compute method: reads need compute.readonly, stop/start need compute');
    assert.ok(r.status === 'ambiguous');
    assert.ok(r.methodIds.includes('compute:v1:instances.get') && r.methodIds.includes('compute:v1:instances.stop'));
    assert.equal(resolveMethod(index, expr('${base_url + "/v1/x"}'), 'GET').status, 'unresolved');
  });
  it('targets: Google APIs, Cloud Run, Cloud Run functions, others, and look-alike hosts', () => {
    // The URLs of each target; the look-alike hosts (Google's names inside another domain) are "other".
    const literals: Record<string, string[]> = {
      'google-api': ['https://storage.googleapis.com/x'],
      'cloud-run': ['https://api-abc-uc.a.run.app/', 'https://svc-123.us-central1.run.app'],
      'cloud-functions': ['https://us-central1-p.cloudfunctions.net/fn'],
      other: [
        'https://example.com/googleapis.com',
        'https://evilgoogleapis.com/x',
        'https://googleapis.com.evil.example/x',
        'https://a.run.app.evil.example/x',
      ],
    };
    const expressions: Record<string, string[]> = {
      'google-api': ['${"https://" + region + "-run.googleapis.com/v2/x"}'],
      'cloud-run': ['${"https://" + svc + ".a.run.app/x"}'],
      unknown: ['${url}', '${"https://" + host + "/x"}'],
    };
    for (const [target, urls] of Object.entries(literals))
      for (const url of urls) assert.equal(lit(url).target, target, url);
    for (const [target, texts] of Object.entries(expressions))
      for (const text of texts) assert.equal(expr(text).target, target, text);
  });
  it('string literals in expressions: escapes, single quotes, + inside quotes and calls', () => {
    assert.deepEqual(
      urlParts({
        kind: 'expression',
        text: '${"https://a.googleapis.com/" + text.concat(x, "+") + \'/q\\\'s\' + "\\"x\\""}',
      }),
      [
        { kind: 'literal', text: 'https://a.googleapis.com/' },
        { kind: 'computed', text: 'text.concat(x, "+")' },
        { kind: 'literal', text: "/q's" },
        { kind: 'literal', text: '"x"' },
      ],
    );
  });
});

describe('custom methods (`:verb`) and HTTP verbs', () => {
  it('a `:verb` in the last segment is the verb, never part of an id: GET projects/p:getIamPolicy is not projects.get', () => {
    const url = lit('https://cloudresourcemanager.googleapis.com/v3/projects/p:getIamPolicy');
    assert.deepEqual(matchMethods(index, url, 'POST'), ['cloudresourcemanager:v3:projects.getIamPolicy']);
    assert.deepEqual(matchMethods(index, url, 'GET'), []);
    assert.deepEqual(matchMethods(index, lit('https://cloudresourcemanager.googleapis.com/v3/projects/p'), 'GET'), [
      'cloudresourcemanager:v3:projects.get',
    ]);
  });
  it('a computed id before the verb still maps to the custom method', () => {
    assert.deepEqual(
      matchMethods(
        index,
        expr('${"https://cloudresourcemanager.googleapis.com/v3/projects/" + p + ":getIamPolicy"}'),
        'POST',
      ),
      ['cloudresourcemanager:v3:projects.getIamPolicy'],
    );
  });
  it('isCustomMethodUrl: `entries:list`, `{id}:getIamPolicy` and `projects:search` are; `…/instances/{instance}/stop` is not', () => {
    assert.equal(isCustomMethodUrl(index, ['logging:v2:entries.list']), true);
    assert.equal(isCustomMethodUrl(index, ['run:v2:projects.locations.services.getIamPolicy']), true);
    assert.equal(isCustomMethodUrl(index, ['cloudresourcemanager:v3:projects.search']), true);
    assert.equal(isCustomMethodUrl(index, ['compute:v1:instances.stop']), false);
    assert.equal(isCustomMethodUrl(index, ['logging:v2:entries.list', 'compute:v1:instances.stop']), false);
    assert.equal(isCustomMethodUrl(index, []), false);
  });
  it('httpMethodsOf: the verbs the data gives, each once', () => {
    assert.deepEqual(httpMethodsOf(index, ['logging:v2:entries.list']), ['POST']);
    assert.deepEqual(httpMethodsOf(index, ['compute:v1:instances.stop', 'compute:v1:instances.start']), ['POST']);
    assert.deepEqual(httpMethodsOf(index, ['run:v2:projects.locations.services.getIamPolicy']), ['GET']);
  });
});
