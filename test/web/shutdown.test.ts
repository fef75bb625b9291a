// SIGTERM: stop accepting, finish in-flight requests, close the store, exit 0. Runs the real entry point
// (the demo, so the mock's controls can slow a request down).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/index.js';
import { TestBrowser } from '../support/browser.js';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo/main.js');

test('SIGTERM lets an in-flight sign-in finish, then exits 0', async () => {
  const appPort = await freePort();
  const mockPort = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-term-'));
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(appPort),
      MOCK_PORT: String(mockPort),
      DEMO_DATA_DIR: dataDir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      OIDC_CLIENT_ID: '',
      SHUTDOWN_DRAIN_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const base = `http://localhost:${appPort}`;
    const mock = `http://127.0.0.1:${mockPort}`;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const control = (p: string, body: unknown) =>
      fetch(`${mock}/__control/${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await control('settings', { autoApprove: { email: 'alice@example.com' } });
    const b = new TestBrowser();
    const login = await b.request(`${base}/login`);
    const authorize = await b.request(login.headers.get('location')!);
    const callback = authorize.headers.get('location')!;
    // The token exchange will take 1.5 s; SIGTERM arrives in the middle of it.
    await control('inject', { endpoint: 'token', delayMs: 1500, times: 1 });
    const inflight = b.request(callback);
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGTERM');
    const res = await inflight;
    assert.equal(res.status, 303, 'the in-flight sign-in completed');
    assert.equal(await exited, 0, out);
    assert.match(out, /shut down cleanly/);
    await assert.rejects(fetch(`${base}/healthz`), 'no longer accepting');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
