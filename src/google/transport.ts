/**
 * The HTTP exchange under every Google API call: node:http / node:https over one keep-alive agent per process, so
 * that calls reuse their connections to Google (about one per concurrent call, not one per call). WHATWG `fetch`
 * does the same job for several times the CPU per call (Request/Headers/Response objects, web streams, abort
 * signal plumbing), and a feature page makes at least one such call per view.
 *
 * One deadline covers the whole exchange (connect, headers and the last byte of the body); the caller's signal
 * cancels it with its own reason; a body longer than the limit (declared or streamed, and once decompressed) is
 * not buffered. Redirects are never followed: the bearer token must not travel to another address.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

export interface ExchangeInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** The whole exchange, in ms. */
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** The largest body accepted for this status (bytes, after decompression). */
  limitFor(status: number): number;
}

export interface ExchangeResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, or undefined when it was larger than the limit. */
  body: Buffer | undefined;
}

/** The exchange took longer than `timeoutMs`. */
export class ExchangeTimeoutError extends Error {
  readonly code = 'EXCHANGE_TIMEOUT';
}

// Idle connections are kept 30 s (a user reading one page before the next); a server that announces a shorter
// `Keep-Alive: timeout` is believed (node:http does). LIFO reuse keeps the fewest connections warm.
const AGENT_OPTIONS = { keepAlive: true, timeout: 30_000, scheduling: 'lifo' } as const;
const agents = { http: new http.Agent(AGENT_OPTIONS), https: new https.Agent(AGENT_OPTIONS) };

export function exchange(input: ExchangeInput): Promise<ExchangeResult> {
  return new Promise<ExchangeResult>((resolve, reject) => {
    const url = new URL(input.url);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      reject(new TypeError(`unsupported protocol ${url.protocol}`));
      return;
    }
    const signal = input.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const headers: Record<string, string | number> = { ...input.headers, 'accept-encoding': 'gzip' };
    if (input.body !== undefined) headers['content-length'] = Buffer.byteLength(input.body);
    const req = (secure ? https : http).request(url, {
      method: input.method,
      headers,
      agent: secure ? agents.https : agents.http,
    });

    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (err: unknown): void => {
      req.destroy();
      settle(() => reject(err));
    };
    const timer = setTimeout(
      () => fail(new ExchangeTimeoutError(`no complete answer within ${input.timeoutMs} ms`)),
      input.timeoutMs,
    );
    const onAbort = (): void => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', fail);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const limit = input.limitFor(status);
      const tooLarge = (): void => {
        res.destroy();
        req.destroy();
        settle(() => resolve({ status, headers: res.headers, body: undefined }));
      };
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('the answer was cut off'));
      });
      const declared = res.headers['content-length'];
      if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) return tooLarge();
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limit) return tooLarge();
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
        if (res.headers['content-encoding']?.trim().toLowerCase() !== 'gzip') {
          settle(() => resolve({ status, headers: res.headers, body: raw }));
          return;
        }
        // Decompressed within the same limit: a small gzip bomb is refused like a large body.
        zlib.gunzip(raw, { maxOutputLength: limit }, (err, body) => {
          if (err && (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
            return settle(() => resolve({ status, headers: res.headers, body: undefined }));
          if (err) return fail(err);
          settle(() => resolve({ status, headers: res.headers, body }));
        });
      });
    });
    req.end(input.body);
  });
}
