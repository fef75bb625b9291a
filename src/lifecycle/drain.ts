// Readiness and a graceful drain for one HTTP server behind a load balancer.
//
// A rolling restart loses requests when an instance stops accepting connections before the load balancer
// has stopped sending them. So on SIGTERM an instance:
//   1. answers its readiness probe (GET /readyz) with 503 at once, so the balancer's health check takes it
//      out of rotation;
//   2. keeps serving whatever still arrives for the drain delay (the time the health check needs to notice),
//      answering every response with `Connection: close` so that each keep-alive connection ends politely
//      after its current response instead of being cut under a request;
//   3. then stops accepting connections, lets in-flight requests finish, and closes what is left.
// /readyz says only "send me traffic": it does not look at Redis or the identity provider (that is /healthz),
// so that an outage of a dependency every instance shares does not take every instance out of rotation at
// once (the app answers 503 with Retry-After itself, and is back the moment the dependency is).
import http from 'node:http';

export const READINESS_PATH = '/readyz';

/** serving → draining (unready, still serving) → closing (not accepting, finishing) → closed. */
export type DrainState = 'serving' | 'draining' | 'closing' | 'closed';

export interface DrainConfig {
  /** How long to keep serving after SIGTERM with /readyz answering 503 (ms). */
  drainDelayMs: number;
  /** After the drain delay, how long in-flight requests get before the process exits anyway (ms). */
  closeTimeoutMs: number;
}

export const DEFAULT_DRAIN_CONFIG: DrainConfig = { drainDelayMs: 5_000, closeTimeoutMs: 10_000 };

/**
 * SHUTDOWN_DRAIN_SECONDS (default 5: a health check every 1–2 s that needs two failures) and
 * SHUTDOWN_TIMEOUT_SECONDS (default 10). Each problem names the variable and what is expected.
 */
export function parseDrainConfig(env: Record<string, string | undefined>): { value: DrainConfig; problems: string[] } {
  const problems: string[] = [];
  const seconds = (name: string, fallbackMs: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallbackMs;
    const text = raw.trim();
    const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(n) || n > max) {
      problems.push(`${name}="${raw}" is not valid: expected a number of seconds from 0 to ${max}`);
      return fallbackMs;
    }
    return Math.round(n * 1000);
  };
  return {
    value: {
      drainDelayMs: seconds('SHUTDOWN_DRAIN_SECONDS', DEFAULT_DRAIN_CONFIG.drainDelayMs, 300),
      closeTimeoutMs: seconds('SHUTDOWN_TIMEOUT_SECONDS', DEFAULT_DRAIN_CONFIG.closeTimeoutMs, 600),
    },
    problems,
  };
}

export interface ServerDrainOptions {
  /** Waits `ms`; tests pass a gate they open themselves. Default: a timer. */
  wait?: (ms: number) => Promise<void>;
  /** Makes the server around the listener (an https server with mTLS); default: a plain http server. */
  createServer?: (listener: http.RequestListener) => http.Server;
}

const defaultWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isReadinessProbe(req: http.IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)) === READINESS_PATH;
}

/**
 * An http.Server around `handler` that answers the readiness probe itself (before the app: no session,
 * no store, no logging) and drains on request. `server` is the one to listen on.
 */
export class ServerDrain {
  readonly server: http.Server;
  #state: DrainState = 'serving';
  readonly #inFlight = new Set<http.ServerResponse>();
  readonly #wait: (ms: number) => Promise<void>;
  #closed: Promise<void> | undefined;

  constructor(handler: http.RequestListener, opts: ServerDrainOptions = {}) {
    this.#wait = opts.wait ?? defaultWait;
    const listener: http.RequestListener = (req, res) => this.#handle(req, res, handler);
    this.server = opts.createServer ? opts.createServer(listener) : http.createServer(listener);
  }

  get state(): DrainState {
    return this.#state;
  }

  get ready(): boolean {
    return this.#state === 'serving';
  }

  /** Requests whose response has not finished yet. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse, handler: http.RequestListener): void {
    this.#inFlight.add(res);
    res.once('close', () => {
      this.#inFlight.delete(res);
      // A connection whose response started out keep-alive before closing began is idle now: end it.
      if (this.#state === 'closing') this.server.closeIdleConnections();
    });
    if (this.#state !== 'serving') res.setHeader('Connection', 'close');
    if (isReadinessProbe(req)) {
      this.#answerReadiness(req, res);
      return;
    }
    handler(req, res);
  }

  #answerReadiness(req: http.IncomingMessage, res: http.ServerResponse): void {
    const body = JSON.stringify(this.ready ? { ready: true } : { ready: false, code: 'SHUTTING_DOWN' });
    res.writeHead(this.ready ? 200 : 503, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Readiness off now (the probe answers 503); requests keep being served, each closing its connection. */
  beginDrain(): void {
    if (this.#state !== 'serving') return;
    this.#state = 'draining';
    this.#closeAfterResponse();
  }

  /**
   * The whole SIGTERM sequence: readiness off at once, keep serving for `delayMs` while the load balancer
   * notices, then close(). Resolves when every connection is gone.
   */
  async drain(delayMs: number): Promise<void> {
    this.beginDrain();
    if (delayMs > 0 && this.#state === 'draining') await this.#wait(delayMs);
    await this.close();
  }

  /**
   * Stops accepting connections now, lets in-flight requests finish (their responses close their
   * connections), closes idle keep-alive connections, and resolves when the server has no connection left.
   */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#state = 'closing';
      this.#closeAfterResponse();
      // server.close() also ends the connections idle right now (Node ≥ 19); those busy now end with their
      // response (Connection: close, or closeIdleConnections() above when it went out keep-alive).
      this.server.close(() => {
        this.#state = 'closed';
        resolve();
      });
    });
    return this.#closed;
  }

  #closeAfterResponse(): void {
    for (const res of this.#inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  }
}
