import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { GoogleApiError } from '../../src/google/errors.js';
import { computeBackoffDelay, googleRequest, retryDelay, type GoogleRequestOptions } from '../../src/google/request.js';
import { stopInstance } from '../../src/google/compute.js';
import {
  UNAVAILABLE_BODY,
  sendJson,
  startServer,
  type Handler,
  type TestServer,
  withServer,
} from '../support/fake-server.js';

const TOKEN = 'ya29.a0AfH6SMBtestTOKENvalue-0123456789abcdefghijklmnopqrstuvwxyz';
const FAST = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2_000 };
const Schema = z.looseObject({ ok: z.boolean() });

function options(
  url: string,
  extra: Partial<GoogleRequestOptions<{ ok: boolean }>> = {},
): GoogleRequestOptions<{ ok: boolean }> {
  return { method: 'GET', url, accessToken: TOKEN, schema: Schema, idempotent: true, retryPolicy: FAST, ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<GoogleApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GoogleApiError, `expected GoogleApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** Google answering every call with 503 UNAVAILABLE. */
const alwaysUnavailable: Handler = (_req, res) => sendJson(res, 503, UNAVAILABLE_BODY);

/** A handler answering 200 with `body` as `contentType`; 'stall' sends the body and never ends it. */
function answer200(contentType: string, body: string, stall?: 'stall'): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    if (stall) res.write(body);
    else res.end(body);
  };
}

/** The error a GET of `${server.url}/x` (with these options) rejects with. */
function requestError(server: TestServer, extra: Partial<GoogleRequestOptions<{ ok: boolean }>> = {}) {
  return rejection(googleRequest(options(`${server.url}/x`, extra)));
}

/** The error instances.stop of my-project/us-central1-a/vm-1 against the server (with these call options) rejects with. */
function stopError(server: TestServer, ctx: { retries?: number; timeoutMs?: number }) {
  return rejection(
    stopInstance(
      { accessToken: TOKEN, apiBaseOverride: server.url, retryPolicy: FAST, ...ctx },
      { project: 'my-project', zone: 'us-central1-a', instance: 'vm-1' },
    ),
  );
}

/** The call failed with `code` after exactly `attempts` requests reached the server. */
function assertFailedAfter(
  server: TestServer,
  err: GoogleApiError,
  code: GoogleApiError['code'],
  attempts: number,
): void {
  assert.equal(err.code, code);
  assert.equal(server.requests.length, attempts, 'attempts');
}

function assertNoToken(err: unknown): void {
  const e = err as Error;
  assert.ok(!e.message.includes(TOKEN), 'token in message');
  assert.ok(!JSON.stringify(e).includes(TOKEN), 'token in JSON');
  assert.ok(!inspect(e, { depth: 5 }).includes(TOKEN), 'token in inspect');
  assert.ok(!String(e.stack).includes(TOKEN), 'token in stack');
}

test('sends Bearer token, Accept JSON, JSON body; returns the validated answer', async () => {
  await withServer(
    (_req, res) => sendJson(res, 200, { ok: true, extra: 'kept' }),
    async (server) => {
      const answer = await googleRequest(options(`${server.url}/x`, { method: 'POST', body: { a: 1 } }));
      assert.deepEqual(answer, { ok: true, extra: 'kept' });
      const [req] = server.requests;
      assert.ok(req);
      assert.equal(req.method, 'POST');
      assert.equal(req.headers['authorization'], `Bearer ${TOKEN}`);
      assert.equal(req.headers['accept'], 'application/json');
      assert.match(String(req.headers['content-type']), /^application\/json/);
      assert.deepEqual(JSON.parse(req.body), { a: 1 });
    },
  );
});

test('idempotent GET is retried on 503 and then succeeds', async () => {
  await withServer(
    (_req, res, i) => (i === 0 ? sendJson(res, 503, UNAVAILABLE_BODY) : sendJson(res, 200, { ok: true })),
    async (server) => {
      assert.deepEqual(await googleRequest(options(`${server.url}/x`)), { ok: true });
      assert.equal(server.requests.length, 2);
    },
  );
});

test('retries are bounded: 503 forever → UNAVAILABLE after 1 + retries attempts', async () => {
  await withServer(alwaysUnavailable, async (server) => {
    const err = await requestError(server, { retries: 2 });
    assertFailedAfter(server, err, 'UNAVAILABLE', 3);
  });
});

test('POST instances.stop (not idempotent) is NOT retried on 503: exactly one call', async () => {
  await withServer(alwaysUnavailable, async (server) => {
    const err = await stopError(server, { retries: 5 });
    assertFailedAfter(server, err, 'UNAVAILABLE', 1);
    assert.equal(server.requests[0]?.method, 'POST');
    assert.equal(
      server.requests[0]?.url,
      '/compute.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a/instances/vm-1/stop',
    );
  });
});

test('POST instances.stop is NOT retried on timeout either', async () => {
  await withServer(
    () => undefined /* never answers */,
    async (server) => {
      const err = await stopError(server, { timeoutMs: 100 });
      assertFailedAfter(server, err, 'TIMEOUT', 1);
    },
  );
});

test('429 with Retry-After within the cap is honoured', async () => {
  await withServer(
    (_req, res, i) =>
      i === 0
        ? sendJson(
            res,
            429,
            { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } },
            { 'retry-after': '1' },
          )
        : sendJson(res, 200, { ok: true }),
    async (server) => {
      const started = Date.now();
      assert.deepEqual(await googleRequest(options(`${server.url}/x`)), { ok: true });
      assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
      assert.equal(server.requests.length, 2);
    },
  );
});

test('429 with Retry-After beyond the cap is returned at once (no retry, no long wait)', async () => {
  await withServer(
    (_req, res) =>
      sendJson(
        res,
        429,
        { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } },
        { 'retry-after': '120' },
      ),
    async (server) => {
      const started = Date.now();
      const err = await requestError(server);
      assert.equal(err.code, 'RATE_LIMITED');
      assert.equal(err.retryAfterMs, 120_000);
      assert.equal(server.requests.length, 1);
      assert.ok(Date.now() - started < 1_000);
    },
  );
});

test('no answer in time → TIMEOUT after bounded attempts', async () => {
  await withServer(
    () => undefined,
    async (server) => {
      const started = Date.now();
      // 400 ms per attempt: long enough that a busy machine's server has recorded each attempt before it is abandoned.
      const err = await requestError(server, { timeoutMs: 400, retries: 2 });
      assert.equal(err.code, 'TIMEOUT');
      assert.equal(err.status, 0);
      assert.equal(err.retryable, true);
      assert.equal(server.requests.length, 3);
      // Bounded: three attempts of 400 ms and short backoffs, not an unbounded wait (generous for a busy machine).
      assert.ok(Date.now() - started < 10_000);
    },
  );
});

test('a body that stalls mid-stream also times out', async () => {
  await withServer(answer200('application/json', '{"ok":', 'stall'), async (server) => {
    const err = await requestError(server, { timeoutMs: 150, retries: 0 });
    assert.equal(err.code, 'TIMEOUT');
  });
});

test('connection refused → NETWORK, retried for idempotent calls', async () => {
  const server = await startServer(() => undefined);
  const url = `${server.url}/x`;
  await server.close();
  let calls = 0;
  const counting: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const err = await rejection(googleRequest(options(url, { fetchImpl: counting, retries: 2 })));
  assert.equal(err.code, 'NETWORK');
  assert.equal(calls, 3);
  assertNoToken(err);
});

test('401 is returned to the caller, not retried', async () => {
  await withServer(
    (_req, res) =>
      sendJson(res, 401, {
        error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
      }),
    async (server) => {
      const err = await requestError(server);
      assertFailedAfter(server, err, 'UNAUTHENTICATED', 1);
    },
  );
});

test('200 with an unexpected shape → BAD_RESPONSE (not retried, no crash)', async () => {
  await withServer(
    (_req, res) => sendJson(res, 200, { ok: 'yes' }),
    async (server) => {
      const err = await requestError(server);
      assert.equal(err.code, 'BAD_RESPONSE');
      assert.match(err.message, /ok/);
      assert.ok(!err.message.includes('yes'), 'received values are not quoted');
      assert.equal(server.requests.length, 1);
    },
  );
});

test('200 with an HTML body → BAD_RESPONSE', async () => {
  await withServer(answer200('text/html', '<html>captive portal</html>'), async (server) => {
    const err = await requestError(server);
    assert.equal(err.code, 'BAD_RESPONSE');
  });
});

test('oversized body → BAD_RESPONSE, with and without Content-Length', async () => {
  const big = JSON.stringify({ ok: true, pad: 'x'.repeat(6 * 1024 * 1024) });
  await withServer(
    (req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) });
        res.end(big);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
        for (let i = 0; i < big.length; i += 64 * 1024) res.write(big.slice(i, i + 64 * 1024));
        res.end();
      }
    },
    async (server) => {
      const declared = await rejection(googleRequest(options(`${server.url}/declared`)));
      assert.equal(declared.code, 'BAD_RESPONSE');
      assert.match(declared.message, /larger than 5242880 bytes/);
      const chunked = await rejection(googleRequest(options(`${server.url}/chunked`)));
      assert.equal(chunked.code, 'BAD_RESPONSE');
      const small = await rejection(googleRequest(options(`${server.url}/chunked`, { maxResponseBytes: 1024 })));
      assert.equal(small.code, 'BAD_RESPONSE');
    },
  );
});

test('a gzip answer is decoded; one that inflates past the size limit is BAD_RESPONSE (no gzip bomb)', async () => {
  const small = gzipSync(JSON.stringify({ ok: true, note: 'compressed' }));
  const bomb = gzipSync(JSON.stringify({ ok: true, pad: 'x'.repeat(2 * 1024 * 1024) })); // ~2 KiB on the wire
  await withServer(
    (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(req.url === '/bomb' ? bomb : small);
    },
    async (server) => {
      assert.deepEqual(await googleRequest(options(`${server.url}/small`)), { ok: true, note: 'compressed' });
      assert.equal(server.requests[0]!.headers['accept-encoding'], 'gzip');
      const err = await rejection(googleRequest(options(`${server.url}/bomb`, { maxResponseBytes: 64 * 1024 })));
      assert.equal(err.code, 'BAD_RESPONSE');
      assert.match(err.message, /larger than 65536 bytes/);
    },
  );
});

test('calls reuse their connection to Google (keep-alive): ten calls, one after another, one connection', async () => {
  let connections = 0;
  const server = createServer((_req, res) => sendJson(res, 200, { ok: true }));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    for (let i = 0; i < 10; i++) assert.deepEqual(await googleRequest(options(url)), { ok: true });
    assert.equal(connections, 1);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a redirect is not followed (the bearer token must not travel elsewhere)', async () => {
  await withServer(
    (req, res) => {
      if (req.url === '/x') {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      } else sendJson(res, 200, { ok: true });
    },
    async (server) => {
      const err = await requestError(server);
      assertFailedAfter(server, err, 'BAD_RESPONSE', 1);
    },
  );
});

test('the caller’s abort signal cancels with its own reason', async () => {
  await withServer(
    () => undefined,
    async (server) => {
      const controller = new AbortController();
      const reason = new Error('client went away');
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(
        googleRequest(options(`${server.url}/x`, { signal: controller.signal, timeoutMs: 5_000 })),
        (e: unknown) => e === reason,
      );
      assert.equal(server.requests.length, 1);
    },
  );
});

test('the access token never appears in any error (message, JSON, inspect, stack)', async () => {
  await withServer(
    (req, res) => {
      const echo = `token was ${String(req.headers['authorization'])}`;
      switch (req.url) {
        case '/401':
          return sendJson(res, 401, { error: { code: 401, message: echo, status: 'UNAUTHENTICATED' } });
        case '/403':
          return sendJson(
            res,
            403,
            { error: { code: 403, message: echo, status: 'PERMISSION_DENIED', errors: [{ reason: TOKEN }] } },
            { 'www-authenticate': `Bearer error="insufficient_scope", scope="${TOKEN}"` },
          );
        case '/500':
          return sendJson(res, 500, { error: { code: 500, message: `${'x'.repeat(990)}${TOKEN}` } });
        case '/html':
          res.writeHead(502, { 'content-type': 'text/html' });
          return res.end(`<p>${echo}</p>`);
        case '/shape':
          return sendJson(res, 200, { ok: TOKEN });
        default:
          return undefined; // timeout
      }
    },
    async (server) => {
      const errors: unknown[] = [];
      for (const path of ['/401', '/403', '/500', '/html', '/shape', '/hang']) {
        errors.push(await rejection(googleRequest(options(`${server.url}${path}`, { timeoutMs: 100, retries: 0 }))));
      }
      errors.push(await requestError(server, { accessToken: `${TOKEN}\r\nX-Evil: 1` }));
      for (const err of errors) assertNoToken(err);
      assert.equal((errors[0] as GoogleApiError).code, 'UNAUTHENTICATED');
      assert.equal((errors[6] as GoogleApiError).code, 'UNAUTHENTICATED');
    },
  );
});

test('computeBackoffDelay: full jitter under an exponential, capped ceiling', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
  assert.equal(
    computeBackoffDelay(0, policy, () => 0),
    0,
  );
  assert.equal(
    computeBackoffDelay(0, policy, () => 0.999),
    99,
  );
  assert.equal(
    computeBackoffDelay(2, policy, () => 0.5),
    200,
  );
  assert.equal(
    computeBackoffDelay(10, policy, () => 0.999),
    999,
  );
});

test('retryDelay: only retryable errors; Retry-After within the cap; otherwise backoff', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
  const mk = (init: Partial<ConstructorParameters<typeof GoogleApiError>[0]>) =>
    new GoogleApiError({ code: 'UNAVAILABLE', status: 503, message: 'm', retryable: true, ...init });
  assert.equal(retryDelay(mk({ retryable: false }), 0, policy), undefined);
  assert.equal(retryDelay(mk({ retryAfterMs: 3_000 }), 0, policy), 3_000);
  assert.equal(retryDelay(mk({ retryAfterMs: 6_000 }), 0, policy), undefined);
  assert.equal(
    retryDelay(mk({}), 1, policy, () => 0.5),
    100,
  );
});
