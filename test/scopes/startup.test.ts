// The app refuses to start on a broken catalogue, naming the feature and the method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/env.js';
import { withFeatures } from '../../src/features/index.js';
import { CATALOGUE, CatalogueError } from '../../src/scopes/index.js';

const config = loadConfig({});

test('start-up refuses a feature that asks for a broader scope than its methods need', () => {
  const broken = CATALOGUE.map((f) => (f.id === 'vms' ? { ...f, scopes: ['https://www.googleapis.com/auth/compute'] } : f));
  assert.throws(() => withFeatures(config, { catalogue: broken }), (err: unknown) => {
    assert.ok(err instanceof CatalogueError);
    assert.match(err.message, /vms/);
    assert.match(err.message, /compute:v1:instances\.aggregatedList/);
    return true;
  });
});

test('start-up refuses a feature whose method no asked scope authorizes', () => {
  const broken = CATALOGUE.map((f) => (f.id === 'buckets' ? { ...f, scopes: ['https://www.googleapis.com/auth/compute.readonly'] } : f));
  assert.throws(() => withFeatures(config, { catalogue: broken }), /buckets/);
});

test('the real catalogue starts', () => {
  assert.equal(typeof withFeatures(config), 'function');
});
