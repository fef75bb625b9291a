// The app refuses to start on a broken catalogue, naming the feature and the method, before anything listens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/env.js';
import { startScopewise } from '../../src/compose.js';
import { createLogger } from '../../src/log/logger.js';
import { assertCatalogue, CATALOGUE, CatalogueError, loadDiscovery } from '../../src/scopes/index.js';

const config = loadConfig({ SESSION_STORE: 'memory', PORT: '0' }, { testing: true });
const logger = createLogger('silent');

test('start-up refuses a feature that asks for a broader scope than its methods need', async () => {
  const broken = CATALOGUE.map((f) =>
    f.id === 'vms' ? { ...f, scopes: ['https://www.googleapis.com/auth/compute'] } : f,
  );
  await assert.rejects(startScopewise(config, logger, { catalogue: broken }), (err: unknown) => {
    assert.ok(err instanceof CatalogueError);
    assert.match(err.message, /vms/);
    assert.match(err.message, /compute:v1:instances\.aggregatedList/);
    return true;
  });
});

test('start-up refuses a feature whose method no asked scope authorizes', async () => {
  const broken = CATALOGUE.map((f) =>
    f.id === 'buckets' ? { ...f, scopes: ['https://www.googleapis.com/auth/compute.readonly'] } : f,
  );
  await assert.rejects(startScopewise(config, logger, { catalogue: broken }), /buckets/);
});

test('the real catalogue passes the start-up check', () => {
  assert.doesNotThrow(() => assertCatalogue(CATALOGUE, loadDiscovery()));
});
