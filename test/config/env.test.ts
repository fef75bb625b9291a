import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../src/config/env.js';

const good = {
  ALLOWED_DOMAINS: 'example.com',
  OIDC_CLIENT_ID: 'id',
  OIDC_CLIENT_SECRET: 'secret',
  SESSION_SECRET: 'a'.repeat(32),
  TOKEN_KEYS: 'k1:' + Buffer.alloc(32, 1).toString('base64'),
};
/** A production deployment that passes every guard: on https, with an admin list. */
const production = {
  ...good,
  NODE_ENV: 'production',
  BASE_URL: 'https://sw.example.com',
  ALLOWED_DOMAINS: 'example.com',
};

function problems(env: Record<string, string>, opts?: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(env, opts);
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
  assert.ok(
    p.some((m) => m.includes('OIDC_CLIENT_ID') && m.includes('demo')),
    p.join('\n'),
  );
});

test('each wrong value is named with what is expected', () => {
  const p = problems({
    ...good,
    PORT: 'eighty',
    LOG_LEVEL: 'loud',
    SESSION_STORE: 'mysql://x',
    BASE_URL: 'ftp://x',
    ALLOWED_EMAILS: 'not-an-email',
  });
  for (const name of ['PORT', 'LOG_LEVEL', 'SESSION_STORE', 'BASE_URL', 'ALLOWED_EMAILS']) {
    assert.ok(
      p.some((m) => m.startsWith(name) && m.includes('expected')),
      `${name} not named: ${p.join('\n')}`,
    );
  }
});

test('plain-http issuers are accepted only on loopback', () => {
  assert.equal(loadConfig({ ...good, OIDC_ISSUER: 'http://127.0.0.1:4000' }).oidc.issuer.hostname, '127.0.0.1');
  assert.equal(loadConfig({ ...good, OIDC_ISSUER: 'http://localhost:4000' }).oidc.issuer.hostname, 'localhost');
  assert.equal(loadConfig({ ...good, OIDC_ISSUER: 'http://127.8.9.10:4000' }).oidc.issuer.hostname, '127.8.9.10');
  assert.equal(loadConfig({ ...good, OIDC_ISSUER: 'http://[::1]:4000' }).oidc.issuer.hostname, '[::1]');
  const p = problems({ ...good, OIDC_ISSUER: 'http://idp.example.com' });
  assert.ok(p.some((m) => m.startsWith('OIDC_ISSUER') && m.includes('loopback')));
  // Host names that only look like loopback are anyone's DNS names: plain http to them is refused.
  for (const host of ['127.0.0.1.attacker.example', '127.attacker.example', 'localhost.attacker.example']) {
    const refused = problems({ ...good, OIDC_ISSUER: `http://${host}:4000` });
    assert.ok(
      refused.some((m) => m.startsWith('OIDC_ISSUER') && m.includes('loopback')),
      `${host}: ${refused.join(' | ')}`,
    );
  }
});

test('session secrets: several for rotation, each at least 32 characters; required outside the demo', () => {
  const c = loadConfig({ ...good, SESSION_SECRET: `${'a'.repeat(32)},${'b'.repeat(40)}` });
  assert.equal(c.sessionSecrets.length, 2);
  assert.ok(problems({ ...good, SESSION_SECRET: 'short' }).some((m) => m.startsWith('SESSION_SECRET')));
  assert.ok(problems({ ...good, SESSION_SECRET: '' }).some((m) => m.startsWith('SESSION_SECRET')));
});

test('memory store is refused in production; https base makes cookies secure', () => {
  assert.ok(problems({ ...production, SESSION_STORE: 'memory' }).some((m) => m.startsWith('SESSION_STORE=memory')));
  const c = loadConfig(production);
  assert.equal(c.secureCookies, true);
});

test('production requires token keys and an admin list', () => {
  const p = problems({ ...production, TOKEN_KEYS: '', ALLOWED_DOMAINS: '' });
  assert.ok(p.some((m) => m.startsWith('TOKEN_KEYS')));
  assert.ok(p.some((m) => m.startsWith('ALLOWED_DOMAINS')));
});

// Every non-demo start is a real deployment, whatever NODE_ENV says (unset, "staging", a typo).
for (const nodeEnv of [undefined, 'development', 'staging', 'test']) {
  const env = (extra: Record<string, string>) => ({ ...good, ...(nodeEnv ? { NODE_ENV: nodeEnv } : {}), ...extra });
  test(`NODE_ENV=${nodeEnv ?? '(unset)'}: the production guards apply to a non-demo start`, () => {
    assert.ok(
      problems(env({ SESSION_STORE: 'memory' })).some((m) => m.startsWith('SESSION_STORE=memory')),
      'memory store',
    );
    const { ALLOWED_DOMAINS: _d, ...noList } = env({});
    assert.ok(
      problems(noList).some((m) => m.startsWith('ALLOWED_DOMAINS')),
      'allow-list',
    );
    const { TOKEN_KEYS: _k, ...noKeys } = env({});
    assert.ok(
      problems(noKeys).some((m) => m.startsWith('TOKEN_KEYS')),
      'token keys',
    );
    assert.ok(
      problems(env({ BASE_URL: 'http://sw.example.com' })).some((m) => m.startsWith('BASE_URL')),
      'plain http on a public host',
    );
  });
}

test('tests opt out of the deployment guards explicitly, in code', () => {
  const { ALLOWED_DOMAINS: _d, TOKEN_KEYS: _k, ...bare } = good;
  const c = loadConfig({ ...bare, SESSION_STORE: 'memory' }, { testing: true });
  assert.deepEqual(c.sessionStore, { kind: 'memory' });
  assert.deepEqual(c.allowedDomains, []);
  assert.equal(c.tokenKeys, undefined);
});

test('an ALLOWED_DOMAINS or ALLOWED_EMAILS that is set but empty is an error, not "everyone"', () => {
  for (const v of ['', ' ', ',', ' , ']) {
    assert.ok(
      problems({ ...good, ALLOWED_DOMAINS: v }).some((m) => m.startsWith('ALLOWED_DOMAINS')),
      JSON.stringify(v),
    );
    assert.ok(
      problems({ ALLOWED_DOMAINS: v }).some((m) => m.startsWith('ALLOWED_DOMAINS')),
      `demo: ${JSON.stringify(v)}`,
    );
    assert.ok(
      problems({ ...good, ALLOWED_EMAILS: v }).some((m) => m.startsWith('ALLOWED_EMAILS')),
      JSON.stringify(v),
    );
  }
});

test('the demo refuses to start where anything says this is a real deployment, naming it in one line', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ BASE_URL: 'https://scopewise.example.com' }, 'BASE_URL'],
    [{ BASE_URL: 'http://10.0.0.5:3000' }, 'BASE_URL'],
    [{ SESSION_STORE: 'redis://redis.internal:6379/0' }, 'SESSION_STORE'],
    [{ SESSION_STORE: 'rediss://redis.internal:6380/0' }, 'SESSION_STORE'], // Redis over TLS, as managed services offer
    [{ BASE_URL: 'http://127.0.0.1.attacker.example:3000' }, 'BASE_URL'], // a name, not the loopback address
    [{ SESSION_SECRET: 'a'.repeat(32) }, 'SESSION_SECRET'],
    [{ TOKEN_KEYS: good.TOKEN_KEYS }, 'TOKEN_KEYS'],
    [{ NODE_ENV: 'production' }, 'OIDC_CLIENT_ID'],
  ];
  for (const [env, name] of cases) {
    const p = problems(env);
    assert.equal(p.length, 1, `${JSON.stringify(env)}: ${p.join(' | ')}`);
    assert.match(p[0]!, /demo/i);
    assert.ok(p[0]!.includes(name), `${name} named: ${p[0]}`);
    assert.ok(!p[0]!.includes('\n'));
  }
  // A fresh clone (nothing set) and a demo on loopback still run.
  assert.equal(loadConfig({}).demo, true);
  assert.equal(loadConfig({ BASE_URL: 'http://127.0.0.1:3000', PORT: '3000' }).demo, true);
});

test('TRUST_PROXY: a hop count or proxy addresses; "true" is refused with what to set instead', () => {
  assert.equal(loadConfig({ ...good, TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(loadConfig({ ...good, TRUST_PROXY: 'false' }).trustProxy, false);
  assert.deepEqual(loadConfig({ ...good, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback' }).trustProxy, [
    '10.0.0.0/8',
    '192.168.1.7',
    'loopback',
  ]);
  assert.deepEqual(loadConfig({ ...good, TRUST_PROXY: 'fd00::/8' }).trustProxy, ['fd00::/8']);
  const p = problems({ ...good, TRUST_PROXY: 'true' });
  assert.ok(
    p.some((m) => m.startsWith('TRUST_PROXY') && /hop count/.test(m) && /address/.test(m)),
    p.join('\n'),
  );
  for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', 'evil.example', '-1', '1.5']) {
    assert.ok(
      problems({ ...good, TRUST_PROXY: bad }).some((m) => m.startsWith('TRUST_PROXY')),
      bad,
    );
  }
});

test('an https BASE_URL with no trusted proxy starts with a warning about rate limits', () => {
  const c = loadConfig({ ...good, BASE_URL: 'https://sw.example.com' });
  assert.ok(
    c.warnings.some((w) => w.includes('TRUST_PROXY')),
    c.warnings.join('\n'),
  );
  assert.deepEqual(loadConfig({ ...good, BASE_URL: 'https://sw.example.com', TRUST_PROXY: '1' }).warnings, []);
});

test('session store specs', () => {
  assert.deepEqual(loadConfig({ ...good, SESSION_STORE: 'memory' }, { testing: true }).sessionStore, {
    kind: 'memory',
  });
  assert.deepEqual(loadConfig({ ...good, SESSION_STORE: 'redis://127.0.0.1:6379/2' }).sessionStore, {
    kind: 'redis',
    url: 'redis://127.0.0.1:6379/2',
  });
  assert.ok(problems({ ...good, SESSION_STORE: 'sqlite:' }).length > 0);
  assert.ok(problems({ ...good, SESSION_STORE: 'redis://h:1/x' }).length > 0);
});
