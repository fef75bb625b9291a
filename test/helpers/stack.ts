// Starts the mock Google and Scopewise in this process on free ports, for integration tests.
import net from 'node:net';
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { startScopewise, type RunningScopewise } from '../../src/server.js';
import { withFeatures } from '../../src/features/index.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { createMockGoogle } from '../../mock-google/server.js';
import { TestBrowser } from './browser.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  get text(): string {
    return this.lines.join('\n');
  }
  /**
   * Whether `secret` is in the logs in any form a log line could hold it: as is, percent-encoded (a logged URL
   * or query), form-encoded, or JSON-escaped.
   */
  mentions(secret: string): boolean {
    const text = this.text;
    const forms = new Set([secret, encodeURIComponent(secret), encodeURI(secret), new URLSearchParams({ x: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)]);
    return [...forms].some((f) => text.includes(f));
  }

  /** Waits until the request line of a request to `pathPrefix` is written (pino-http writes it when the response ends). */
  async waitForRequestLine(pathPrefix: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.some((l) => {
        const o = JSON.parse(l) as { req?: { url?: string }; res?: unknown };
        return o.res !== undefined && typeof o.req?.url === 'string' && o.req.url.startsWith(pathPrefix);
      });
      if (found) return;
      if (Date.now() > deadline) throw new Error(`no request line for ${pathPrefix} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  events(event: string): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.audit === true && o.event === event);
  }
}

export interface Stack {
  app: RunningScopewise;
  config: Config;
  mockUrl: string;
  baseUrl: string;
  logs: LogCapture;
  clientSecret: string;
  control(path: string, body?: unknown): Promise<unknown>;
  browser(): TestBrowser;
  /** Signs `email` in through the real flow (the mock auto-approves) and returns the browser. */
  signIn(email: string, returnTo?: string): Promise<TestBrowser>;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  mockPort?: number;
  /** The app's clock (session lifetimes, token expiry), for tests that move time. */
  now?: () => number;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const appPort = await freePort();
  const baseUrl = `http://localhost:${appPort}`;
  const clientSecret = crypto.randomBytes(16).toString('hex');
  const mock = await createMockGoogle({
    port: opts.mockPort ?? 0,
    clients: [{ clientId: 'scopewise-test', clientSecret, redirectUris: [`${baseUrl}/auth/callback`] }],
  });
  const logs = new LogCapture();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(appPort),
    BASE_URL: baseUrl,
    OIDC_ISSUER: mock.issuer,
    OIDC_CLIENT_ID: 'scopewise-test',
    OIDC_CLIENT_SECRET: clientSecret,
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    TOKEN_KEYS: generateKeySpec('test1'),
    SESSION_STORE: 'memory',
    ALLOWED_DOMAINS: 'example.com',
    GOOGLE_API_BASE_URL: mock.url,
    LOG_LEVEL: 'debug',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...opts.env,
  }, { testing: true });
  const app = await startScopewise(config, createLogger(config.logLevel, logs.stream), { extend: withFeatures(config), ...(opts.now ? { now: opts.now } : {}) });
  const control = async (path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${mock.url}/__control/${path}`, body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
  };
  const stack: Stack = {
    app,
    config,
    mockUrl: mock.url,
    baseUrl,
    logs,
    clientSecret,
    control,
    browser: () => new TestBrowser(),
    async signIn(email, returnTo = '/') {
      await control('settings', { autoApprove: { email } });
      const b = new TestBrowser();
      const res = await b.follow(`${baseUrl}/login?returnTo=${encodeURIComponent(returnTo)}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`sign-in of ${email} ended with ${res.status}`);
      return b;
    },
    async close() {
      await app.close();
      await mock.close();
    },
  };
  return stack;
}
