/** A tiny local HTTP server that answers like Google, for the google/ tests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { GoogleCallContext } from '../../src/google/index.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, index: number) => unknown;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res, requests.length - 1)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Google's 503 body. */
export const UNAVAILABLE_BODY = {
  error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' },
};

/** Run `run` against a fresh server answering with `handler`; the server is closed afterwards, whatever happens. */
export async function withServer(handler: Handler, run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer(handler);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

/**
 * For a file: a fake Google answering with `handler`, started before its tests and closed after them, and the
 * call context that reaches it (one attempt, no retries). Read `server` and `ctx` inside the tests.
 */
export function useFakeGoogle(handler: Handler): { readonly server: TestServer; readonly ctx: GoogleCallContext } {
  let server: TestServer | undefined;
  before(async () => {
    server = await startServer(handler);
  });
  after(() => server?.close());
  const started = (): TestServer => {
    assert.ok(server, 'the fake Google has started (read it inside a test)');
    return server;
  };
  return {
    get server() {
      return started();
    },
    get ctx() {
      return { accessToken: 'ya29.test', apiBaseOverride: started().url, retries: 0 };
    },
  };
}
