// Scopewise's entry point in a process of its own, started as an operator starts it: a real deployment's settings
// against the mock Google (its own OAuth client), its output kept for assertions and failure messages, and the
// start awaited on /healthz.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { createMockGoogle, type MockGoogle } from '../../mock-google/server.js';
import { generateKeySpec } from '../../src/tokens/crypto.js';
import { freePort } from './ports.js';

export interface EntryPointOptions {
  /** The entry point's script, relative to `cwd` or absolute. */
  script: string;
  cwd?: string;
  /** The OAuth client the mock registers for this app. */
  clientId: string;
  sessionStore: string;
  /** Settings of the test's own, on top of (or replacing) the deployment's; a function when they name the mock. */
  env?: Record<string, string> | ((mock: MockGoogle) => Record<string, string>);
}

export interface RunningEntryPoint {
  proc: ChildProcess;
  mock: MockGoogle;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Polls `probe` until it gives a value; fails with the process's output when it exits or time runs out. */
  until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Settings that make the entry point act as itself through the mock's metadata server and export its audit trail
 * to the mock's Cloud Logging (log `scopewise-audit` of acme-prod), plus `extra`.
 */
export function ownIdentityEnv(mock: MockGoogle, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SCOPEWISE_IDENTITY: 'metadata',
    GCE_METADATA_HOST: new URL(mock.url).host,
    GOOGLE_CLOUD_PROJECT: 'acme-prod',
    AUDIT_SINK: 'cloud-logging:acme-prod/scopewise-audit',
    AUDIT_FLUSH_MS: '50',
    ...extra,
  };
}

/** Starts the mock Google and the entry point, and resolves once /healthz answers 200. */
export async function startEntryPoint(opts: EntryPointOptions): Promise<RunningEntryPoint> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const clientSecret = crypto.randomBytes(16).toString('hex');
  const mock = await createMockGoogle({
    port: 0,
    clients: [{ clientId: opts.clientId, clientSecret, redirectUris: [`${baseUrl}/auth/callback`] }],
  });
  const proc = spawn(process.execPath, [opts.script], {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: String(port),
      BASE_URL: baseUrl,
      OIDC_ISSUER: mock.issuer,
      OIDC_CLIENT_ID: opts.clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
      TOKEN_KEYS: generateKeySpec('entry1'),
      SESSION_STORE: opts.sessionStore,
      ALLOWED_DOMAINS: 'example.com',
      GOOGLE_API_BASE_URL: mock.url,
      LOG_LEVEL: 'info',
      ...(typeof opts.env === 'function' ? opts.env(mock) : opts.env),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));

  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (proc.exitCode !== null)
        assert.fail(`Scopewise exited (${proc.exitCode}) while waiting for ${what}:\n${output}`);
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = (signal: NodeJS.Signals): Promise<number | null> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill(signal);
    return exited;
  };

  try {
    await until('the app to answer /healthz', async () =>
      (await fetch(`${baseUrl}/healthz`)).status === 200 ? true : undefined,
    );
  } catch (err) {
    await stop('SIGKILL');
    await mock.close();
    throw err;
  }
  return { proc, mock, baseUrl, output: () => output, until, stop };
}
