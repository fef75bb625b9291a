// The demo entry point (app and bundled mock Google) in a child process of its own, for tests of what the
// process does on a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestBrowser } from './browser.js';
import { freePort } from './ports.js';

const DEMO_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo/main.js');

export interface DemoProcess {
  child: ChildProcess;
  appPort: number;
  /** The app, as a browser reaches it. */
  base: string;
  /** The mock Google of the demo. */
  mock: string;
  /** What the child wrote so far, stdout and stderr together. */
  output(): string;
  /** The exit code, once the child has exited. */
  exited: Promise<number | null>;
  /** A mock Google control call: POST with a JSON body, or GET without one. */
  control(p: string, body?: unknown): Promise<Response>;
  /** Kill the child if it still runs and remove its data directory. */
  cleanup(): void;
}

/** Start the demo on free ports with its own data directory; `env` adds to (or overrides) the test defaults. */
export async function spawnDemo(env: Record<string, string> = {}): Promise<DemoProcess> {
  const appPort = await freePort();
  const mockPort = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-demo-'));
  const child = spawn(process.execPath, [DEMO_MAIN], {
    env: {
      ...process.env,
      PORT: String(appPort),
      MOCK_PORT: String(mockPort),
      DEMO_DATA_DIR: dataDir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      OIDC_CLIENT_ID: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const mock = `http://127.0.0.1:${mockPort}`;
  return {
    child,
    appPort,
    base: `http://localhost:${appPort}`,
    mock,
    output: () => out,
    exited,
    control: (p, body) =>
      fetch(
        `${mock}/__control/${p}`,
        body === undefined
          ? {}
          : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      ),
    cleanup() {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sign in as alice up to Google's redirect back: the browser, and the callback URL it has yet to follow (so a
 * test can hold the token exchange in flight).
 */
export async function signInUpToCallback(demo: DemoProcess): Promise<{ browser: TestBrowser; callback: string }> {
  await demo.control('settings', { autoApprove: { email: 'alice@example.com' } });
  const browser = new TestBrowser();
  const login = await browser.request(`${demo.base}/login`);
  const authorize = await browser.request(login.headers.get('location')!);
  return { browser, callback: authorize.headers.get('location')! };
}
