// Each setting's accepted values and its problem, word for word: an operator reads these lines at a failed start,
// so a problem must name the variable, the value and what is expected. Also the pieces env.ts is made of
// (parseSessionStore, ConfigError) and the maintenance commands' configuration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, loadMaintenanceConfig, parseSessionStore } from '../../src/config/env.js';

const KEY = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const good = {
  ALLOWED_DOMAINS: 'example.com',
  OIDC_CLIENT_ID: 'id',
  OIDC_CLIENT_SECRET: 'secret',
  SESSION_SECRET: 'a'.repeat(32),
  TOKEN_KEYS: KEY,
};

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  return [];
}

/** The one problem a deployment with `change` has (everything else valid). */
function onlyProblem(change: Record<string, string>, unset: readonly string[] = []): string {
  const env: Record<string, string> = { ...good, ...change };
  for (const name of unset) delete env[name];
  const p = problemsOf(() => loadConfig(env));
  assert.equal(p.length, 1, p.join('\n'));
  return p[0]!;
}

describe('ConfigError', () => {
  it('lists every problem on a line of its own, with a code for callers', () => {
    const e = new ConfigError(['A is bad', 'B is bad']);
    assert.equal(e.message, 'Invalid configuration:\n  - A is bad\n  - B is bad');
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal(e.name, 'ConfigError');
    assert.deepEqual(e.problems, ['A is bad', 'B is bad']);
  });
});

describe('parseSessionStore', () => {
  it('accepts memory, sqlite:<path> and redis[s]://host[:port][/db]', () => {
    assert.deepEqual(parseSessionStore('memory'), { kind: 'memory' });
    assert.deepEqual(parseSessionStore('sqlite:data/s.db'), { kind: 'sqlite', path: 'data/s.db' });
    for (const url of ['redis://r.internal:6379', 'redis://r.internal:6379/', 'redis://r/0', 'rediss://r:6380/15'])
      assert.deepEqual(parseSessionStore(url), { kind: 'redis', url }, url);
  });

  it('says what is expected for each malformed value', () => {
    const cases: Array<[string, string]> = [
      ['sqlite:', 'a file path after "sqlite:", e.g. sqlite:data/sessions.db'],
      ['redis://r/x', 'redis://host:port[/db] with a numeric db'],
      ['redis://r/100', 'redis://host:port[/db] with a numeric db'],
      ['redis://r/1/2', 'redis://host:port[/db] with a numeric db'],
      ['redis://r/a1', 'redis://host:port[/db] with a numeric db'],
      ['redis:///0', 'redis://host:port[/db]'],
      ['redis://r:99999', 'redis://host:port[/db]'],
      ['memory ', 'sqlite:<path>, redis://host:port[/db] or memory'],
      ['data/sessions.db', 'sqlite:<path>, redis://host:port[/db] or memory'],
      ['xsqlite:a.db', 'sqlite:<path>, redis://host:port[/db] or memory'],
      ['http://redis://r', 'sqlite:<path>, redis://host:port[/db] or memory'],
      ['valkey://r:6379', 'sqlite:<path>, redis://host:port[/db] or memory'],
    ];
    for (const [value, expected] of cases) assert.equal(parseSessionStore(value), expected, value);
  });

  it('a bad SESSION_STORE is a problem naming it; the default SQLite file otherwise', () => {
    assert.equal(
      onlyProblem({ SESSION_STORE: 'redis://r/x' }),
      'SESSION_STORE="redis://r/x" is not valid: expected redis://host:port[/db] with a numeric db',
    );
    assert.deepEqual(loadConfig(good).sessionStore, { kind: 'sqlite', path: 'data/sessions.db' });
  });
});

describe('loadConfig: each setting and its problem', () => {
  it('BASE_URL: an origin only', () => {
    for (const v of ['https://sw.example.com/app', 'https://sw.example.com/?a=1', 'https://sw.example.com/#x'])
      assert.equal(
        onlyProblem({ BASE_URL: v }),
        `BASE_URL="${v}" is not valid: expected an origin without path, query or fragment`,
        v,
      );
    assert.equal(
      onlyProblem({ BASE_URL: 'ftp://sw.example.com' }),
      'BASE_URL="ftp://sw.example.com" is not valid: expected an absolute http(s) URL such as https://scopewise.example.com',
    );
    assert.equal(loadConfig({ ...good, BASE_URL: 'https://sw.example.com/' }).baseUrl.href, 'https://sw.example.com/');
  });

  it('OIDC_ISSUER: an absolute http(s) URL', () => {
    // (The RISC configuration URL, derived from the issuer, is reported as well.)
    assert.equal(
      problemsOf(() => loadConfig({ ...good, OIDC_ISSUER: 'accounts.google.com' }))[0],
      'OIDC_ISSUER="accounts.google.com" is not valid: expected the issuer URL of an OpenID Connect provider, e.g. https://accounts.google.com',
    );
  });

  it('the OAuth client: id and secret as given; a deployment without the secret is refused', () => {
    const c = loadConfig(good);
    assert.deepEqual([c.oidc.clientId, c.oidc.clientSecret], ['id', 'secret']);
    assert.equal(
      onlyProblem({}, ['OIDC_CLIENT_SECRET']),
      'OIDC_CLIENT_SECRET is not set: expected the client secret of the OAuth client named by OIDC_CLIENT_ID',
    );
    assert.equal(onlyProblem({ OIDC_CLIENT_SECRET: '' }).startsWith('OIDC_CLIENT_SECRET is not set'), true);
    // The demo has no client of its own yet: empty, not a placeholder.
    assert.deepEqual([loadConfig({}).oidc.clientId, loadConfig({}).oidc.clientSecret], ['', '']);
  });

  it('SESSION_SECRET: each secret is numbered in its problem', () => {
    assert.equal(
      onlyProblem({ SESSION_SECRET: `${'a'.repeat(32)},short` }),
      'SESSION_SECRET (secret #2) is too short: expected at least 32 characters',
    );
  });

  it('ALLOWED_DOMAINS: domain names, lower-cased', () => {
    assert.deepEqual(loadConfig({ ...good, ALLOWED_DOMAINS: 'Example.COM, a-b.example.org' }).allowedDomains, [
      'example.com',
      'a-b.example.org',
    ]);
    for (const bad of ['example', '-a.example.com', 'a-.example.com', 'a..example.com', 'xn--.example', 'a.b.c/d'])
      assert.equal(
        onlyProblem({ ALLOWED_DOMAINS: bad }),
        `ALLOWED_DOMAINS contains "${bad.toLowerCase()}": expected domain names such as example.com, comma-separated`,
        bad,
      );
    const long = `${'a'.repeat(60)}.`.repeat(5).concat('com'); // 308 characters: over 253
    assert.match(onlyProblem({ ALLOWED_DOMAINS: long }), /^ALLOWED_DOMAINS contains/);
  });

  it('ALLOWED_EMAILS: addresses, lower-cased', () => {
    const c = loadConfig({ ...good, ALLOWED_EMAILS: 'Alice@Example.COM, bob@example.org' });
    assert.deepEqual(c.allowedEmails, ['alice@example.com', 'bob@example.org']);
    assert.equal(
      onlyProblem({ ALLOWED_EMAILS: 'alice@example.com, not-an-address' }),
      'ALLOWED_EMAILS contains "not-an-address": expected e-mail addresses, comma-separated',
    );
  });

  it('a deployment with neither allow-list is refused; either one alone is enough', () => {
    const neither =
      'ALLOWED_DOMAINS and ALLOWED_EMAILS are both unset: set at least one, or any Google account could sign in';
    assert.equal(onlyProblem({}, ['ALLOWED_DOMAINS']), neither);
    assert.deepEqual(
      problemsOf(() => loadConfig({ ...good, ALLOWED_DOMAINS: 'example.com' })),
      [],
    );
    const emailsOnly: Record<string, string> = { ...good, ALLOWED_EMAILS: 'a@example.com' };
    delete emailsOnly['ALLOWED_DOMAINS'];
    assert.deepEqual(
      problemsOf(() => loadConfig(emailsOnly)),
      [],
    );
    // Tests may leave both out.
    const bare: Record<string, string> = { ...good };
    delete bare['ALLOWED_DOMAINS'];
    assert.deepEqual(
      problemsOf(() => loadConfig(bare, { testing: true })),
      [],
    );
  });

  it('LOG_LEVEL: one of the names', () => {
    assert.equal(loadConfig(good).logLevel, 'info');
    assert.equal(loadConfig({ ...good, LOG_LEVEL: 'debug' }).logLevel, 'debug');
    assert.equal(
      onlyProblem({ LOG_LEVEL: 'verbose' }),
      'LOG_LEVEL="verbose" is not valid: expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('GOOGLE_API_BASE_URL: https, or http on loopback; kept without trailing slashes', () => {
    assert.equal(loadConfig(good).googleApiBaseUrl, undefined);
    assert.equal(
      loadConfig({ ...good, GOOGLE_API_BASE_URL: 'http://127.0.0.1:4000//' }).googleApiBaseUrl,
      'http://127.0.0.1:4000',
    );
    assert.equal(
      loadConfig({ ...good, GOOGLE_API_BASE_URL: 'https://google.internal/api/' }).googleApiBaseUrl,
      'https://google.internal/api',
    );
    assert.equal(
      onlyProblem({ GOOGLE_API_BASE_URL: 'http://google.internal' }),
      'GOOGLE_API_BASE_URL="http://google.internal" is not valid: plain http is accepted only on loopback addresses',
    );
    assert.equal(
      onlyProblem({ GOOGLE_API_BASE_URL: 'google.internal' }),
      'GOOGLE_API_BASE_URL="google.internal" is not valid: expected an absolute http(s) URL',
    );
  });

  it('DEFAULT_PROJECT: a project id, or none', () => {
    assert.equal(loadConfig(good).defaultProject, undefined);
    assert.equal(loadConfig({ ...good, DEFAULT_PROJECT: '' }).defaultProject, undefined);
    assert.equal(loadConfig({ ...good, DEFAULT_PROJECT: 'acme-prod' }).defaultProject, 'acme-prod');
    assert.equal(
      onlyProblem({ DEFAULT_PROJECT: 'Acme Prod' }),
      'DEFAULT_PROJECT="Acme Prod" is not valid: expected a Google Cloud project id such as my-project-123',
    );
  });

  it('TRUST_PROXY: off by default, and no warning on plain http (its values: test/web/rate-limit-proxy, env.test)', () => {
    assert.equal(loadConfig(good).trustProxy, false);
    assert.deepEqual(loadConfig(good).warnings, []);
  });

  it('numbers: the limits are inclusive and each problem names the range', () => {
    const limits: Array<[string, number, number]> = [
      ['RATE_LIMIT_PER_MINUTE', 1, 10_000_000],
      ['SESSION_IDLE_MINUTES', 1, 43_200],
      ['SESSION_ABSOLUTE_HOURS', 1, 2160],
      ['PORT', 0, 65_535],
    ];
    const field = {
      RATE_LIMIT_PER_MINUTE: 'rateLimitPerMinute',
      SESSION_IDLE_MINUTES: 'sessionIdleMinutes',
      SESSION_ABSOLUTE_HOURS: 'sessionAbsoluteHours',
      PORT: 'port',
    } as const;
    for (const [name, min, max] of limits) {
      const key = field[name as keyof typeof field];
      assert.equal(loadConfig({ ...good, [name]: String(min) })[key], min, `${name}=${min}`);
      assert.equal(loadConfig({ ...good, [name]: String(max) })[key], max, `${name}=${max}`);
      for (const bad of [String(max + 1), ...(min > 0 ? [String(min - 1)] : []), '1.5', '-1', 'ten', '1e3'])
        assert.equal(
          onlyProblem({ [name]: bad }),
          `${name}="${bad}" is not valid: expected a whole number from ${min} to ${max}`,
          `${name}=${bad}`,
        );
    }
    const c = loadConfig(good);
    assert.deepEqual(
      [c.port, c.rateLimitPerMinute, c.sessionIdleMinutes, c.sessionAbsoluteHours],
      [3000, 30, 60, 12],
      'the defaults',
    );
    assert.equal(loadConfig({ ...good, PORT: ' 8080 ' }).port, 8080, 'surrounding spaces are not an error');
    assert.equal(loadConfig({ ...good, PORT: ' ' }).port, 3000, 'blank is unset');
  });

  it("the option modules' problems are reported with the others, each naming its variable", () => {
    assert.equal(
      onlyProblem({ WORKLOAD_REGIONS: 'us-central1, Mars' }),
      'WORKLOAD_REGIONS: "Mars" is not a region name (expected names like us-central1, comma-separated).',
    );
  });

  it('HOST: every interface unless set', () => {
    assert.equal(loadConfig(good).host, '0.0.0.0');
    assert.equal(loadConfig({ ...good, HOST: '127.0.0.1' }).host, '127.0.0.1');
  });

  it('NODE_ENV: development unless set', () => {
    assert.equal(loadConfig(good).nodeEnv, 'development');
    assert.equal(loadConfig({ ...good, NODE_ENV: 'test' }).nodeEnv, 'test');
  });

  it('the demo refusal names the variable and what it said', () => {
    const refusal = (env: Record<string, string>) => {
      const p = problemsOf(() => loadConfig(env));
      assert.equal(p.length, 1, p.join('\n'));
      return p[0]!;
    };
    const tail = ': refusing to start. Set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET for a real deployment, or unset';
    const start = 'OIDC_CLIENT_ID is not set, so this would start the demo (a mock Google), but ';
    assert.equal(refusal({ NODE_ENV: 'production' }), `${start}NODE_ENV=production${tail} NODE_ENV to run the demo.`);
    assert.equal(
      refusal({ BASE_URL: 'https://sw.example.com' }),
      `${start}BASE_URL=https://sw.example.com is not a loopback address${tail} BASE_URL to run the demo.`,
    );
    assert.equal(
      refusal({ BASE_URL: 'not a url' }),
      `${start}BASE_URL=not a url is not a loopback address${tail} BASE_URL to run the demo.`,
    );
    assert.equal(
      refusal({ SESSION_STORE: 'rediss://r:6380' }),
      `${start}SESSION_STORE names a Redis (a shared, real session store)${tail} SESSION_STORE to run the demo.`,
    );
    assert.equal(
      refusal({ SESSION_SECRET: 'x'.repeat(40) }),
      `${start}SESSION_SECRET is set (the demo makes its own)${tail} SESSION_SECRET to run the demo.`,
    );
    assert.equal(
      refusal({ TOKEN_KEYS: KEY }),
      `${start}TOKEN_KEYS is set (the demo makes its own)${tail} TOKEN_KEYS to run the demo.`,
    );
    // A Redis named only in passing is not a Redis store: the demo still refuses it as a store value.
    assert.equal(loadConfig({ SESSION_STORE: 'sqlite:data/redis://.db' }).demo, true);
    assert.equal(loadConfig({ SESSION_STORE: 'memory' }, { testing: true }).demo, true);
  });
});

describe('loadMaintenanceConfig (npm run reencrypt-tokens)', () => {
  it('the store and the keys, with the lifetimes and log level', () => {
    assert.deepEqual(loadMaintenanceConfig({ SESSION_STORE: 'redis://r:6379/1', TOKEN_KEYS: KEY }), {
      sessionStore: { kind: 'redis', url: 'redis://r:6379/1' },
      tokenKeys: KEY,
      sessionIdleMinutes: 60,
      sessionAbsoluteHours: 12,
      logLevel: 'info',
    });
    assert.deepEqual(
      loadMaintenanceConfig({
        TOKEN_KEYS: KEY,
        SESSION_IDLE_MINUTES: '43200',
        SESSION_ABSOLUTE_HOURS: '2160',
        LOG_LEVEL: 'warn',
      }),
      {
        sessionStore: { kind: 'sqlite', path: 'data/sessions.db' },
        tokenKeys: KEY,
        sessionIdleMinutes: 43_200,
        sessionAbsoluteHours: 2160,
        logLevel: 'warn',
      },
    );
  });

  it('every problem at once: no keys, a memory store, numbers and level out of range', () => {
    assert.deepEqual(
      problemsOf(() =>
        loadMaintenanceConfig({
          SESSION_STORE: 'memory',
          SESSION_IDLE_MINUTES: '43201',
          SESSION_ABSOLUTE_HOURS: '2161',
          LOG_LEVEL: 'loud',
        }),
      ),
      [
        'SESSION_STORE=memory keeps nothing to maintain: point SESSION_STORE at the store the app uses',
        'TOKEN_KEYS is not set: expected the keys, the newest first',
        'SESSION_IDLE_MINUTES="43201" is not valid: expected a whole number from 1 to 43200',
        'SESSION_ABSOLUTE_HOURS="2161" is not valid: expected a whole number from 1 to 2160',
        'LOG_LEVEL="loud" is not valid: expected one of fatal, error, warn, info, debug, trace, silent',
      ],
    );
    assert.deepEqual(
      problemsOf(() => loadMaintenanceConfig({ TOKEN_KEYS: '' })),
      ['TOKEN_KEYS is not set: expected the keys, the newest first'],
    );
  });
});
