// Request metrics are labelled by the route as configured, never by the request's own spelling of it: an
// unauthenticated client sending /RISC, /Risc, /risc/ … must not add a time series per variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';

const stack = useStack({ reset: false });

test('POST /risc spelt in 40 ways is one route label, the configured /risc', async () => {
  const spellings = ['/risc', '/RISC', '/Risc', '/risc/', '/RISC/', '/rIsC'];
  for (let i = 0; i < 40; i++) {
    const path =
      i < spellings.length
        ? spellings[i]!
        : `/${[...'risc'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join('')}`;
    const res = await fetch(`${stack.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt' },
      body: 'not-a-token',
    });
    assert.equal(res.status, 400, path);
    await res.arrayBuffer();
  }
  const { body } = await stack.app.workload.metrics.exposition();
  const routes = new Set(
    [...body.matchAll(/^scopewise_http_requests_total\{[^}]*route="([^"]*)"[^}]*\}/gm)].map((m) => m[1]),
  );
  const riscLike = [...routes].filter((r) => /risc/i.test(r ?? ''));
  assert.deepEqual(riscLike, ['/risc']);
});
