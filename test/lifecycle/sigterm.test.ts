// SIGTERM on the real entry point, as a load balancer sees it: /readyz turns 503 at once, the instance keeps
// accepting and serving during the drain delay, an in-flight request (a sign-in whose token exchange is slow)
// completes, new connections are refused only once the delay has passed, and the process exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { signInUpToCallback, spawnDemo } from '../support/demo-process.js';

const DRAIN_SECONDS = 2;

/** One GET on a new connection: the status, or 'refused' when the port no longer accepts. */
function freshGet(url: string): Promise<number | 'refused'> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve('refused') : reject(err)));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGTERM: /readyz 503 at once, still serving during the drain delay, in-flight sign-in completes, refused only after the delay, exit 0', async () => {
  const demo = await spawnDemo({ HOST: '127.0.0.1', SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS) });
  const { child, appPort, base } = demo;
  try {
    await until('ready', async () => ((await freshGet(`${base}/readyz`).catch(() => 0)) === 200 ? true : undefined));
    const { browser: b, callback } = await signInUpToCallback(demo);
    // The token exchange takes longer than the drain delay: the sign-in is still in flight when the
    // listener closes.
    await demo.control('inject', { endpoint: 'token', delayMs: (DRAIN_SECONDS + 2) * 1000, times: 1 });
    const tokenCalls = async () => ((await (await demo.control('counts')).json()) as Record<string, number>).token ?? 0;
    const before = await tokenCalls();
    const inflight = b.request(callback);
    await until('the token exchange has started', async () => ((await tokenCalls()) > before ? true : undefined));

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    // The first answer of /readyz that is not 200 is a 503 from the running instance, not a refused connection.
    const unready = await until('readyz leaves 200', async () => {
      const s = await freshGet(`${base}/readyz`);
      return s === 200 ? undefined : s;
    });
    assert.equal(unready, 503);
    // Still serving new connections during the delay (the load balancer has not noticed yet).
    assert.equal(await freshGet(`${base}/healthz`), 200);
    await until('connections refused', async () => ((await accepts(appPort)) ? undefined : true));
    assert.ok(Date.now() - signalledAt >= DRAIN_SECONDS * 1000, 'connections were accepted for the whole drain delay');

    const res = await inflight;
    assert.equal(res.status, 303, 'the in-flight sign-in completed');
    assert.equal(new URL(res.headers.get('location')!, base).pathname, '/');
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal(await demo.exited, 0, demo.output());
    assert.match(demo.output(), /shut down cleanly/);
  } finally {
    demo.cleanup();
  }
});
