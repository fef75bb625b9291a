// One mock Google and N Scopewise instances in this process, sharing one session store (Redis), one
// SESSION_SECRET and one TOKEN_KEYS, as behind a load balancer. For tests of what happens across instances.
import crypto from 'node:crypto';
import { loadConfig, type Config } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { startScopewise, type RunningScopewise } from '../../src/compose.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { createMockGoogle } from '../../mock-google/server.js';
import type { TestBrowser } from './browser.js';
import { LogCapture } from './logs.js';
import { freePort } from './ports.js';
import { controlOf, signInOverHttp } from './stack.js';

export interface Instance {
  app: RunningScopewise;
  config: Config;
  baseUrl: string;
  logs: LogCapture;
}

export interface Cluster {
  instances: Instance[];
  mockUrl: string;
  control(path: string, body?: unknown): Promise<unknown>;
  /** Signs `email` in through instance `via` (the mock auto-approves); the cookie works on every instance. */
  signIn(email: string, via?: number): Promise<TestBrowser>;
  /**
   * Stops instance `i` and starts it again on the same port, with `env` added to the shared environment and
   * the variables named in `unset` removed.
   */
  restart(i: number, env?: Record<string, string>, unset?: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  instances: number;
  /** Must name a shared store (SESSION_STORE=redis://...) for the instances to share sessions. */
  env: Record<string, string>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const ports = await Promise.all(Array.from({ length: opts.instances }, () => freePort()));
  const baseUrls = ports.map((p) => `http://localhost:${p}`);
  const clientSecret = crypto.randomBytes(16).toString('hex');
  const mock = await createMockGoogle({
    port: 0,
    clients: [{ clientId: 'scopewise-test', clientSecret, redirectUris: baseUrls.map((u) => `${u}/auth/callback`) }],
  });
  const shared = {
    NODE_ENV: 'test',
    OIDC_ISSUER: mock.issuer,
    OIDC_CLIENT_ID: 'scopewise-test',
    OIDC_CLIENT_SECRET: clientSecret,
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    TOKEN_KEYS: generateKeySpec('cluster1'),
    ALLOWED_DOMAINS: 'example.com',
    GOOGLE_API_BASE_URL: mock.url,
    LOG_LEVEL: 'debug',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...opts.env,
  };
  const instances: Instance[] = [];
  try {
    for (const [i, port] of ports.entries()) {
      const config = loadConfig({ ...shared, PORT: String(port), BASE_URL: baseUrls[i]! });
      const logs = new LogCapture();
      const app = await startScopewise(config, createLogger(config.logLevel, logs.stream), {});
      instances.push({ app, config, baseUrl: baseUrls[i]!, logs });
    }
  } catch (err) {
    for (const inst of instances) await inst.app.close();
    await mock.close();
    throw err;
  }
  const control = controlOf(mock.url);
  return {
    instances,
    mockUrl: mock.url,
    control,
    signIn: (email, via = 0) => signInOverHttp(instances[via]!.baseUrl, control, email),
    async restart(i, env = {}, unset = []) {
      const inst = instances[i]!;
      await inst.app.close();
      const merged: Record<string, string> = { ...shared, ...env };
      for (const name of unset) delete merged[name];
      const config = loadConfig({ ...merged, PORT: String(ports[i]), BASE_URL: baseUrls[i]! });
      const logs = new LogCapture();
      const app = await startScopewise(config, createLogger(config.logLevel, logs.stream), {});
      instances[i] = { app, config, baseUrl: baseUrls[i]!, logs };
    },
    async close() {
      for (const inst of instances) await inst.app.close();
      await mock.close();
    },
  };
}
