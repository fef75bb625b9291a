// The demo launcher (`npm start`) refuses a demo start in what looks like a real deployment: one line, exit
// status 1. The production entry point never starts the demo: without an OAuth client it says where the demo is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO = path.resolve(here, '../../demo/main.js');
const PRODUCTION = path.resolve(here, '../../src/main.js');

function start(env: Record<string, string>, entry = DEMO) {
  return spawnSync(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

for (const [name, env] of [
  ['a Redis session store', { SESSION_STORE: 'redis://127.0.0.1:6379/9' }],
  ['a public BASE_URL', { BASE_URL: 'https://scopewise.example.com' }],
  ['SESSION_SECRET from the environment', { SESSION_SECRET: 'x'.repeat(40) }],
  ['TOKEN_KEYS from the environment', { TOKEN_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` }],
] as const) {
  test(`no OIDC_CLIENT_ID but ${name}: the demo does not start`, () => {
    const r = start(env);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /demo/);
    assert.ok(!/Mock Google/.test(r.stdout), 'the mock was not started');
  });
}

for (const [name, env] of [
  ['no configuration at all', {}],
  ['no OIDC_CLIENT_ID but the rest of a deployment', { SESSION_SECRET: 'x'.repeat(40), NODE_ENV: 'production' }],
] as const) {
  test(`the production entry point with ${name}: one line naming OIDC_CLIENT_ID, the README and the demo command; no demo`, () => {
    const r = start(env, PRODUCTION);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^Scopewise cannot start: OIDC_CLIENT_ID is not set\./);
    assert.match(lines[0]!, /README\.md/);
    assert.match(lines[0]!, /`npm start`/);
    assert.equal(r.stdout, '', 'nothing started: no mock, no demo banner');
  });
}
