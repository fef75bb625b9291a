import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../src/config/env.js';

const good = {
  OIDC_CLIENT_ID: 'id',
  OIDC_CLIENT_SECRET: 'secret',
  SESSION_SECRET: 'a'.repeat(32),
  TOKEN_KEYS: 'k1:' + Buffer.alloc(32, 1).toString('base64'),
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

test('defaults: port 3000, Google issuer, SQLite sessions, http base on localhost', () => {
  const c = loadConfig(good);
  assert.equal(c.port, 3000);
  assert.equal(c.baseUrl.href, 'http://localhost:3000/');
  assert.equal(c.oidc.issuer.href, 'https://accounts.google.com/');
  assert.deepEqual(c.sessionStore, { kind: 'sqlite', path: 'data/sessions.db' });
  assert.equal(c.secureCookies, false);
  assert.equal(c.demo, false);
});

test('without OIDC_CLIENT_ID the demo runs, and it is refused in production', () => {
  assert.equal(loadConfig({}).demo, true);
  const p = problems({ NODE_ENV: 'production' });
  assert.ok(p.some((m) => m.includes('OIDC_CLIENT_ID') && m.includes('demo')), p.join('\n'));
});

test('each wrong value is named with what is expected', () => {
  const p = problems({ ...good, PORT: 'eighty', LOG_LEVEL: 'loud', SESSION_STORE: 'mysql://x', BASE_URL: 'ftp://x', ALLOWED_EMAILS: 'not-an-email' });
  for (const name of ['PORT', 'LOG_LEVEL', 'SESSION_STORE', 'BASE_URL', 'ALLOWED_EMAILS']) {
    assert.ok(p.some((m) => m.startsWith(name) && m.includes('expected')), `${name} not named: ${p.join('\n')}`);
  }
});

test('plain-http issuers are accepted only on loopback', () => {
  assert.equal(loadConfig({ ...good, OIDC_ISSUER: 'http://127.0.0.1:4000' }).oidc.issuer.hostname, '127.0.0.1');
  assert.equal(loadConfig({ ...good, OIDC_ISSUER: 'http://localhost:4000' }).oidc.issuer.hostname, 'localhost');
  const p = problems({ ...good, OIDC_ISSUER: 'http://idp.example.com' });
  assert.ok(p.some((m) => m.startsWith('OIDC_ISSUER') && m.includes('loopback')));
});

test('session secrets: several for rotation, each at least 32 characters; required outside the demo', () => {
  const c = loadConfig({ ...good, SESSION_SECRET: `${'a'.repeat(32)},${'b'.repeat(40)}` });
  assert.equal(c.sessionSecrets.length, 2);
  assert.ok(problems({ ...good, SESSION_SECRET: 'short' }).some((m) => m.startsWith('SESSION_SECRET')));
  assert.ok(problems({ ...good, SESSION_SECRET: '' }).some((m) => m.startsWith('SESSION_SECRET')));
});

test('memory store is refused in production; https base makes cookies secure', () => {
  const prod = { ...good, NODE_ENV: 'production', BASE_URL: 'https://sw.example.com', ALLOWED_DOMAINS: 'example.com' };
  assert.ok(problems({ ...prod, SESSION_STORE: 'memory' }).some((m) => m.startsWith('SESSION_STORE=memory')));
  const c = loadConfig(prod);
  assert.equal(c.secureCookies, true);
});

test('production requires token keys and an admin list', () => {
  const p = problems({ ...good, NODE_ENV: 'production', BASE_URL: 'https://sw.example.com', TOKEN_KEYS: '' });
  assert.ok(p.some((m) => m.startsWith('TOKEN_KEYS')));
  assert.ok(p.some((m) => m.startsWith('ALLOWED_DOMAINS')));
});

test('session store specs', () => {
  assert.deepEqual(loadConfig({ ...good, SESSION_STORE: 'memory' }).sessionStore, { kind: 'memory' });
  assert.deepEqual(loadConfig({ ...good, SESSION_STORE: 'redis://127.0.0.1:6379/2' }).sessionStore, { kind: 'redis', url: 'redis://127.0.0.1:6379/2' });
  assert.ok(problems({ ...good, SESSION_STORE: 'sqlite:' }).length > 0);
  assert.ok(problems({ ...good, SESSION_STORE: 'redis://h:1/x' }).length > 0);
});
