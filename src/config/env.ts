// Reads and validates the environment once. Pure: takes an env object, returns a Config or throws a
// ConfigError whose message names every wrong variable and what is expected.
import { z } from 'zod';

export type SessionStoreSpec =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | { kind: 'redis'; url: string };

export interface Config {
  nodeEnv: string;
  port: number;
  host: string;
  baseUrl: URL;
  secureCookies: boolean;
  oidc: {
    issuer: URL;
    clientId: string;
    clientSecret: string;
  };
  sessionSecrets: string[];
  sessionStore: SessionStoreSpec;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  allowedDomains: string[];
  allowedEmails: string[];
  tokenKeys: string | undefined;
  googleApiBaseUrl: string | undefined;
  defaultProject: string | undefined;
  rateLimitPerMinute: number;
  trustProxy: string | number | boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demo: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

function parseUrl(name: string, value: string, problems: string[], expected: string): URL | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return url;
  } catch {
    problems.push(`${name}="${value}" is not valid: expected ${expected}`);
    return undefined;
  }
}

export function parseSessionStore(value: string): SessionStoreSpec | string {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path.length === 0) return 'a file path after "sqlite:", e.g. sqlite:data/sessions.db';
    return { kind: 'sqlite', path };
  }
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    try {
      const u = new URL(value);
      if (!u.hostname) throw new Error('host');
      if (u.pathname && u.pathname !== '/' && !/^\/\d{1,2}$/.test(u.pathname)) {
        return 'redis://host:port[/db] with a numeric db';
      }
    } catch {
      return 'redis://host:port[/db]';
    }
    return { kind: 'redis', url: value };
  }
  return 'sqlite:<path>, redis://host:port[/db] or memory';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intIn = (min: number, max: number) =>
  z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(min).max(max);

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const r = intIn(min, max).safeParse(raw);
    if (!r.success) {
      problems.push(`${name}="${raw}" is not valid: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return r.data;
  };

  const port = num('PORT', 3000, 0, 65535);
  const demo = !env.OIDC_CLIENT_ID;
  if (demo && production) {
    problems.push('OIDC_CLIENT_ID is not set: the demo (mock Google) is refused when NODE_ENV=production; set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
  }

  const baseUrl = parseUrl('BASE_URL', env.BASE_URL || `http://localhost:${port}`, problems,
    'an absolute http(s) URL such as https://scopewise.example.com');
  if (baseUrl && (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash)) {
    problems.push(`BASE_URL="${env.BASE_URL}" is not valid: expected an origin without path, query or fragment`);
  }
  if (baseUrl && baseUrl.protocol === 'http:' && production && !isLoopbackHost(baseUrl.hostname)) {
    problems.push(`BASE_URL="${env.BASE_URL}" is not valid: expected https:// in production (cookies must be Secure)`);
  }

  const issuer = parseUrl('OIDC_ISSUER', env.OIDC_ISSUER || 'https://accounts.google.com', problems,
    'the issuer URL of an OpenID Connect provider, e.g. https://accounts.google.com');
  if (issuer && issuer.protocol === 'http:' && !isLoopbackHost(issuer.hostname)) {
    problems.push(`OIDC_ISSUER="${env.OIDC_ISSUER}" is not valid: plain http is accepted only on loopback addresses (localhost, 127.0.0.1, ::1); use https`);
  }

  const clientId = env.OIDC_CLIENT_ID ?? '';
  const clientSecret = env.OIDC_CLIENT_SECRET ?? '';
  if (!demo && !clientSecret) {
    problems.push('OIDC_CLIENT_SECRET is not set: expected the client secret of the OAuth client named by OIDC_CLIENT_ID');
  }

  const sessionSecrets = list(env.SESSION_SECRET);
  if (!demo) {
    if (sessionSecrets.length === 0) {
      problems.push('SESSION_SECRET is not set: expected one or more secrets of at least 32 characters, comma-separated (the first signs)');
    }
  }
  sessionSecrets.forEach((s, i) => {
    if (s.length < 32) problems.push(`SESSION_SECRET (secret #${i + 1}) is too short: expected at least 32 characters`);
  });

  let sessionStore: SessionStoreSpec = { kind: 'sqlite', path: 'data/sessions.db' };
  if (env.SESSION_STORE) {
    const parsed = parseSessionStore(env.SESSION_STORE);
    if (typeof parsed === 'string') problems.push(`SESSION_STORE="${env.SESSION_STORE}" is not valid: expected ${parsed}`);
    else sessionStore = parsed;
  }
  if (sessionStore.kind === 'memory' && production) {
    problems.push('SESSION_STORE=memory is refused when NODE_ENV=production: sessions would vanish on restart; use sqlite:<path> or redis://');
  }

  const allowedDomains = list(env.ALLOWED_DOMAINS).map((d) => d.toLowerCase());
  for (const d of allowedDomains) {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(d)) {
      problems.push(`ALLOWED_DOMAINS contains "${d}": expected domain names such as example.com, comma-separated`);
    }
  }
  const allowedEmails = list(env.ALLOWED_EMAILS).map((e) => e.toLowerCase());
  for (const e of allowedEmails) {
    if (!z.email().safeParse(e).success) problems.push(`ALLOWED_EMAILS contains "${e}": expected e-mail addresses, comma-separated`);
  }
  if (production && allowedDomains.length === 0 && allowedEmails.length === 0) {
    problems.push('ALLOWED_DOMAINS and ALLOWED_EMAILS are both empty: in production set at least one, or any Google account could sign in');
  }

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL="${env.LOG_LEVEL}" is not valid: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  let googleApiBaseUrl: string | undefined;
  if (env.GOOGLE_API_BASE_URL) {
    const u = parseUrl('GOOGLE_API_BASE_URL', env.GOOGLE_API_BASE_URL, problems, 'an absolute http(s) URL');
    if (u && u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
      problems.push(`GOOGLE_API_BASE_URL="${env.GOOGLE_API_BASE_URL}" is not valid: plain http is accepted only on loopback addresses`);
    }
    googleApiBaseUrl = u ? u.href.replace(/\/+$/, '') : undefined;
  }

  const defaultProject = env.DEFAULT_PROJECT || undefined;
  if (defaultProject && !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(defaultProject)) {
    problems.push(`DEFAULT_PROJECT="${defaultProject}" is not valid: expected a Google Cloud project id such as my-project-123`);
  }

  let trustProxy: Config['trustProxy'] = false;
  const tp = env.TRUST_PROXY;
  if (tp !== undefined && tp !== '') {
    if (tp === 'true') trustProxy = true;
    else if (tp === 'false') trustProxy = false;
    else if (/^\d+$/.test(tp)) trustProxy = Number(tp);
    else if (/^[0-9a-fA-F:.,/ a-z]+$/.test(tp)) trustProxy = tp;
    else problems.push(`TRUST_PROXY="${tp}" is not valid: expected true, false, a hop count, or addresses/subnets (e.g. loopback, 10.0.0.0/8)`);
  }

  const rateLimitPerMinute = num('RATE_LIMIT_PER_MINUTE', 30, 1, 10_000_000);
  const sessionIdleMinutes = num('SESSION_IDLE_MINUTES', 60, 1, 60 * 24 * 30);
  const sessionAbsoluteHours = num('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 90);

  const tokenKeys = env.TOKEN_KEYS || undefined;
  if (!tokenKeys && production) {
    problems.push('TOKEN_KEYS is not set: expected one or more <kid>:<base64 of 32 random bytes>, comma-separated (the first encrypts); generate one with `npm run token-key`');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv,
    port,
    host: env.HOST || '0.0.0.0',
    baseUrl: baseUrl!,
    secureCookies: baseUrl!.protocol === 'https:',
    oidc: { issuer: issuer!, clientId, clientSecret },
    sessionSecrets,
    sessionStore,
    sessionIdleMinutes,
    sessionAbsoluteHours,
    allowedDomains,
    allowedEmails,
    tokenKeys,
    googleApiBaseUrl,
    defaultProject,
    rateLimitPerMinute,
    trustProxy,
    logLevel,
    demo,
  };
}
