// SIGTERM: stop accepting, finish in-flight requests, close the store, exit 0. Runs the real entry point
// (the demo, so the mock's controls can slow a request down).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signInUpToCallback, spawnDemo } from '../support/demo-process.js';

test('SIGTERM lets an in-flight sign-in finish, then exits 0', async () => {
  const demo = await spawnDemo({ SHUTDOWN_DRAIN_SECONDS: '0' });
  const { child, base } = demo;
  try {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const { browser: b, callback } = await signInUpToCallback(demo);
    // The token exchange will take 1.5 s; SIGTERM arrives in the middle of it.
    await demo.control('inject', { endpoint: 'token', delayMs: 1500, times: 1 });
    const inflight = b.request(callback);
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGTERM');
    const res = await inflight;
    assert.equal(res.status, 303, 'the in-flight sign-in completed');
    assert.equal(await demo.exited, 0, demo.output());
    assert.match(demo.output(), /shut down cleanly/);
    await assert.rejects(fetch(`${base}/healthz`), 'no longer accepting');
  } finally {
    demo.cleanup();
  }
});
