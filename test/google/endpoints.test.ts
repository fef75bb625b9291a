import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENDPOINTS } from '../../src/google/endpoints.js';

/** The repo root: the nearest ancestor of this file holding package.json (works from test/ and dist/test/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repo root not found');
    dir = parent;
  }
}

function methodsJsonPath(): string {
  const root = repoRoot();
  const vendored = join(root, 'vendor', 'google-discovery', 'methods.json');
  if (existsSync(vendored)) return vendored;
  return resolve(root, '..', 'shared', 'google-scopes', 'methods.json');
}

interface MethodsJson {
  source: Record<string, { baseUrl: string }>;
  methods: Record<string, { id: string; httpMethod: string; path: string }>;
}

test('the endpoint table matches the vendored Discovery methods.json', () => {
  const data = JSON.parse(readFileSync(methodsJsonPath(), 'utf8')) as MethodsJson;
  for (const [key, endpoint] of Object.entries(ENDPOINTS)) {
    const method = data.methods[key];
    assert.ok(method, `${key} is not in methods.json`);
    assert.equal(endpoint.id, method.id, `${key} id`);
    assert.equal(endpoint.httpMethod, method.httpMethod, `${key} httpMethod`);
    assert.equal(endpoint.path, method.path, `${key} path`);
    assert.ok(key.startsWith(`${endpoint.api}:`), `${key} api prefix`);
    const source = data.source[endpoint.api];
    assert.ok(source, `${endpoint.api} has no source entry`);
    assert.equal(endpoint.baseUrl, source.baseUrl, `${key} baseUrl`);
  }
});

test('only the read-only methods are marked idempotent', () => {
  for (const [key, endpoint] of Object.entries(ENDPOINTS)) {
    if (endpoint.httpMethod === 'GET') assert.equal(endpoint.idempotent, true, key);
  }
  assert.equal(ENDPOINTS['compute:v1:instances.stop'].idempotent, false);
  assert.equal(ENDPOINTS['compute:v1:instances.start'].idempotent, false);
  assert.equal(ENDPOINTS['cloudresourcemanager:v3:projects.getIamPolicy'].idempotent, true);
  assert.equal(ENDPOINTS['logging:v2:entries.list'].idempotent, true);
});
