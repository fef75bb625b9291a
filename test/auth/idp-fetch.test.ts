// sizeLimitedFetch, the fetch used for every call to the identity provider: bounded bodies, with or without
// Content-Length, and the caller's abort signal still in charge of the whole read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sizeLimitedFetch, MAX_IDP_RESPONSE_BYTES, IdpResponseTooLargeError } from '../../src/auth/oidc.js';

let server: http.Server;
let base: string;
before(async () => {
  server = http.createServer((req, res) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? '0');
    switch (new URL(req.url ?? '/', 'http://x').pathname) {
      case '/declared':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(size) });
        res.end('x'.repeat(size));
        return;
      case '/chunked': {
        // No Content-Length: the limit must be enforced while reading.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = 'x'.repeat(64 * 1024);
        let sent = 0;
        const more = () => {
          while (sent < size) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
        return;
      }
      case '/no-content':
        res.writeHead(204).end();
        return;
      case '/slow':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        return; // never ends
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const get = (path: string, signal?: AbortSignal) =>
  sizeLimitedFetch(`${base}${path}`, {
    method: 'GET',
    headers: {},
    redirect: 'manual',
    body: undefined,
    ...(signal ? { signal } : {}),
  } as never);

test('a body within the limit comes through intact, with status and headers', async () => {
  const res = await get(`/chunked?size=${256 * 1024}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal((await res.text()).length, 256 * 1024);
  assert.equal((await (await get(`/declared?size=10`)).text()).length, 10);
});

test('a declared Content-Length over the limit is refused before reading', async () => {
  await assert.rejects(get(`/declared?size=${MAX_IDP_RESPONSE_BYTES + 1}`), IdpResponseTooLargeError);
});

test('a chunked body over the limit is refused while reading', async () => {
  await assert.rejects(
    get(`/chunked?size=${4 * MAX_IDP_RESPONSE_BYTES}`),
    (err: Error) => err instanceof IdpResponseTooLargeError && /too large/.test(err.message),
  );
});

test('a 204 answer passes through', async () => {
  assert.equal((await get('/no-content')).status, 204);
});

test("the caller's signal aborts a body that never ends", async () => {
  const started = Date.now();
  await assert.rejects(
    get('/slow', AbortSignal.timeout(200)),
    (err: Error) => err.name === 'TimeoutError' || err.name === 'AbortError',
  );
  assert.ok(Date.now() - started < 2_000);
});
