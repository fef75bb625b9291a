// The public /healthz says only whether this instance is ready; what is or is not (the session store, the
// identity provider, Scopewise's own identity, audit queues, mTLS certificates) is operational detail, served on
// the internal mTLS listener, built in one place (healthDetail), and logged when readiness changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthDetail, readinessWatch } from '../../src/lifecycle/health.js';
import { createLogger } from '../../src/log/logger.js';
import { useStack } from '../support/stack.js';

const stack = useStack({ reset: false });

test('public /healthz answers ready or not, and nothing else', async () => {
  const res = await fetch(`${stack.baseUrl}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ready: true });
  assert.equal(res.headers.get('cache-control'), 'no-store');
});

test('the detail is built in one place: store, identity provider, own identity and audit, readiness', async () => {
  const detail = await stack.app.health();
  assert.equal(detail.ready, true);
  assert.equal(detail.sessionStore, 'ok');
  assert.equal(detail.identityProvider, 'ok');
  assert.deepEqual(detail.workload?.identity, { mode: 'off', state: 'off' });
  assert.deepEqual(detail.workload?.audit, []);
  const down = await healthDetail({
    storage: { isHealthy: async () => false },
    identityProvider: { ready: true },
  });
  assert.deepEqual(down, { ready: false, sessionStore: 'unavailable', identityProvider: 'ok' });
  const failing = await healthDetail({
    storage: { isHealthy: () => Promise.reject(new Error('ECONNREFUSED')) },
    identityProvider: { ready: false },
  });
  assert.deepEqual(failing, { ready: false, sessionStore: 'unavailable', identityProvider: 'unavailable' });
  const redis = await healthDetail({
    storage: {
      isHealthy: async () => true,
      findings: () => ({ redis: { maxmemoryPolicy: 'unknown', verdict: 'warn' } }),
    },
    identityProvider: { ready: true },
  });
  assert.deepEqual(redis.storage, { redis: { maxmemoryPolicy: 'unknown', verdict: 'warn' } }, 'the backend’s findings');
});

test('a change of readiness is logged once, with the detail that explains it', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
  const watch = readinessWatch(logger);
  const ok = { ready: true, sessionStore: 'ok', identityProvider: 'ok' } as const;
  const bad = { ready: false, sessionStore: 'unavailable', identityProvider: 'ok' } as const;
  for (const d of [ok, ok, bad, bad, bad, ok, ok]) watch(d);
  assert.deepEqual(
    lines.map((l) => [l['level'], l['msg'], (l['health'] as { sessionStore?: string } | undefined)?.sessionStore]),
    [
      ['warn', 'health: not ready', 'unavailable'],
      ['info', 'health: ready again', 'ok'],
    ],
  );
});
