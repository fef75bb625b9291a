// Reads and validates the environment once. Pure: takes an env object, returns a Config or throws a
// ConfigError whose message names every wrong variable and what is expected.
//
// Fail closed: every start that is not the demo is treated as a real deployment, whatever NODE_ENV says
// (unset, "staging", a typo), and the demo refuses to start where anything says it is one. Only tests opt out,
// explicitly and in code (`{ testing: true }`), never through the environment.
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { isProjectId } from '../google/ids.js';
import { intSetting, isLoopbackHost, listSetting } from './parse.js';
import { parseWorkloadConfig, type WorkloadConfig } from '../identity/workload.js';
import { parseRiscConfig, type RiscConfig } from '../events/config.js';
import { parseReviewRegions } from '../workloads/config.js';
import { parseDrainConfig, type DrainConfig } from '../lifecycle/drain.js';

export { isLoopbackHost };

export type SessionStoreSpec = { kind: 'sqlite'; path: string } | { kind: 'memory' } | { kind: 'redis'; url: string };

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
  /** Express `trust proxy`: false, a hop count, or proxy addresses/subnets. Never `true`. */
  trustProxy: false | number | string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demo: boolean;
  /** Scopewise's own identity (ADC), the audit export, mTLS and the internal listener (src/identity). */
  own: WorkloadConfig;
  /** The Cross-Account Protection receiver (src/events). */
  risc: RiscConfig;
  /** The regions the workload review reads Cloud Run and Workflows in (WORKLOAD_REGIONS). */
  workloadRegions: readonly string[];
  /** SIGTERM: how long to stay up unready while the load balancer notices, then how long requests may take. */
  drain: DrainConfig;
  /** Things worth a line at start-up that do not stop it. */
  warnings: string[];
}

export interface LoadOptions {
  /** Tests only: allows the memory store, no allow-list and no TOKEN_KEYS outside the demo. */
  testing?: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Express's names for address ranges (`trust proxy`): loopback, link-local and private (unique local) ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The networks a trusted proxy's address may be in: private (RFC 1918, RFC 6598 shared address space, RFC 4193
 * unique local), loopback and link-local. Nothing in them is reachable from the internet, so no client out there
 * can be "a trusted proxy" and write its own address into X-Forwarded-For.
 */
const PRIVATE_NETWORKS = (
  [
    { net: '10.0.0.0', bits: 8, family: 'ipv4' },
    { net: '172.16.0.0', bits: 12, family: 'ipv4' },
    { net: '192.168.0.0', bits: 16, family: 'ipv4' },
    { net: '100.64.0.0', bits: 10, family: 'ipv4' },
    { net: '127.0.0.0', bits: 8, family: 'ipv4' },
    { net: '169.254.0.0', bits: 16, family: 'ipv4' },
    { net: 'fc00::', bits: 7, family: 'ipv6' },
    { net: 'fe80::', bits: 10, family: 'ipv6' },
    { net: '::1', bits: 128, family: 'ipv6' },
  ] as const
).map((n) => {
  const list = new BlockList();
  list.addSubnet(n.net, n.bits, n.family);
  return { ...n, contains: (ip: string) => list.check(ip, n.family) };
});

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Why an address entry of TRUST_PROXY (`10.0.0.0/8`, `192.168.1.7`, `fd00::/8`, `loopback`) may not be trusted,
 * or undefined: it must be an address or subnet lying within one private network (so that no public address is
 * in it, and it is no wider than that network). Pure.
 */
export function proxyAddressProblem(entry: string): string | undefined {
  if (PROXY_RANGE_NAMES.has(entry)) return undefined;
  const [ip = '', bitsText, ...rest] = entry.split('/');
  let family: 4 | 6 | 0 = ip.includes('%') ? 0 : (isIP(ip) as 4 | 6 | 0);
  if (rest.length > 0 || family === 0 || (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)))
    return `${entry} is not an address or a subnet (address/prefix length)`;
  let bits = bitsText === undefined ? (family === 4 ? 32 : 128) : Number(bitsText);
  if (bits > (family === 4 ? 32 : 128)) return `${entry} has a prefix length longer than its address`;
  let address = ip;
  const mapped = family === 6 ? IPV4_MAPPED.exec(ip) : null;
  if (mapped) {
    // An IPv4 address written the IPv6 way (::ffff:10.0.0.0/104) is judged as the IPv4 range it stands for.
    if (bits < 96) return `${entry} covers public addresses`;
    [address, bits, family] = [mapped[1]!, bits - 96, 4];
  }
  const network = PRIVATE_NETWORKS.find((n) => n.family === `ipv${family}` && n.contains(address));
  if (!network) return `${entry} covers public addresses`;
  if (bits < network.bits)
    return `${entry} is wider than the private network ${network.net}/${network.bits} it starts in, so it covers public addresses`;
  return undefined;
}

/** Whether TRUST_PROXY accepts `entry` as a proxy's address or subnet (see proxyAddressProblem). */
export function isProxyAddress(entry: string): boolean {
  return proxyAddressProblem(entry) === undefined;
}

export function parseTrustProxy(value: string | undefined): Config['trustProxy'] | string {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return false;
  const expected =
    "the number of proxies in front (a hop count, e.g. 1), or the proxies' private addresses or subnets, comma-separated (e.g. 10.0.0.0/8 or loopback), each within one private network (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, fc00::/7, fe80::/10, ::1); a proxy with a public address (a cloud load balancer's front ends) is trusted by its position, with the hop count";
  if (v === 'true')
    return `"true" would let any client choose its address with X-Forwarded-For (and so escape the sign-in rate limit); expected ${expected}`;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const entries = listSetting(v);
  if (entries.length === 0) return `expected ${expected}`;
  for (const entry of entries) {
    const problem = proxyAddressProblem(entry);
    if (problem)
      return `${problem}: any client could then choose its address with X-Forwarded-For (and escape the rate limits); expected ${expected}`;
  }
  return entries;
}

const list = listSetting;

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

/** SESSION_STORE, or the default SQLite file when it is unset or not valid (then with a problem saying why). */
function sessionStoreSetting(env: NodeJS.ProcessEnv, problems: string[]): SessionStoreSpec {
  const fallback: SessionStoreSpec = { kind: 'sqlite', path: 'data/sessions.db' };
  if (!env.SESSION_STORE) return fallback;
  const parsed = parseSessionStore(env.SESSION_STORE);
  if (typeof parsed !== 'string') return parsed;
  problems.push(`SESSION_STORE="${env.SESSION_STORE}" is not valid: expected ${parsed}`);
  return fallback;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Why the demo must not start here (the operator's settings say this is a real deployment), or undefined. */
function demoRefusal(env: NodeJS.ProcessEnv): string | undefined {
  const refuse = (name: string, why: string) =>
    `OIDC_CLIENT_ID is not set, so this would start the demo (a mock Google), but ${why}: refusing to start. Set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET for a real deployment, or unset ${name} to run the demo.`;
  if (env.NODE_ENV === 'production') return refuse('NODE_ENV', 'NODE_ENV=production');
  if (env.BASE_URL) {
    let host: string | undefined;
    try {
      host = new URL(env.BASE_URL).hostname;
    } catch {
      host = undefined;
    }
    if (host === undefined || !isLoopbackHost(host))
      return refuse('BASE_URL', `BASE_URL=${env.BASE_URL} is not a loopback address`);
  }
  if (env.SESSION_STORE && /^rediss?:/.test(env.SESSION_STORE))
    return refuse('SESSION_STORE', 'SESSION_STORE names a Redis (a shared, real session store)');
  if (env.SESSION_SECRET) return refuse('SESSION_SECRET', 'SESSION_SECRET is set (the demo makes its own)');
  if (env.TOKEN_KEYS) return refuse('TOKEN_KEYS', 'TOKEN_KEYS is set (the demo makes its own)');
  return undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv, opts: LoadOptions = {}): Config {
  const problems: string[] = [];
  const warnings: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  const demo = !env.OIDC_CLIENT_ID;
  if (demo) {
    const refusal = demoRefusal(env);
    // One line that says why; the other checks would only add noise about settings the demo provides.
    if (refusal) throw new ConfigError([refusal]);
  }
  // Outside the demo (and tests that opt out in code), every start is held to production's rules.
  const deployment = !demo && !opts.testing;

  const num = (name: string, fallback: number, min: number, max: number): number =>
    intSetting(env, name, fallback, min, max, problems);

  const port = num('PORT', 3000, 0, 65535);

  const baseUrl = parseUrl(
    'BASE_URL',
    env.BASE_URL || `http://localhost:${port}`,
    problems,
    'an absolute http(s) URL such as https://scopewise.example.com',
  );
  if (baseUrl && (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash)) {
    problems.push(`BASE_URL="${env.BASE_URL}" is not valid: expected an origin without path, query or fragment`);
  }
  if (baseUrl && baseUrl.protocol === 'http:' && !demo && !isLoopbackHost(baseUrl.hostname)) {
    problems.push(
      `BASE_URL="${env.BASE_URL}" is not valid: expected https:// (plain http only on loopback; cookies must be Secure)`,
    );
  }

  const issuer = parseUrl(
    'OIDC_ISSUER',
    env.OIDC_ISSUER || 'https://accounts.google.com',
    problems,
    'the issuer URL of an OpenID Connect provider, e.g. https://accounts.google.com',
  );
  if (issuer && issuer.protocol === 'http:' && !isLoopbackHost(issuer.hostname)) {
    problems.push(
      `OIDC_ISSUER="${env.OIDC_ISSUER}" is not valid: plain http is accepted only on loopback addresses (localhost, 127.0.0.1, ::1); use https`,
    );
  }

  const clientId = env.OIDC_CLIENT_ID ?? '';
  const clientSecret = env.OIDC_CLIENT_SECRET ?? '';
  if (!demo && !clientSecret) {
    problems.push(
      'OIDC_CLIENT_SECRET is not set: expected the client secret of the OAuth client named by OIDC_CLIENT_ID',
    );
  }

  const sessionSecrets = list(env.SESSION_SECRET);
  if (!demo) {
    if (sessionSecrets.length === 0) {
      problems.push(
        'SESSION_SECRET is not set: expected one or more secrets of at least 32 characters, comma-separated (the first signs)',
      );
    }
  }
  sessionSecrets.forEach((s, i) => {
    if (s.length < 32) problems.push(`SESSION_SECRET (secret #${i + 1}) is too short: expected at least 32 characters`);
  });

  const sessionStore = sessionStoreSetting(env, problems);
  if (sessionStore.kind === 'memory' && deployment) {
    problems.push(
      'SESSION_STORE=memory is refused outside tests: sessions would vanish on restart and could not be shared; use sqlite:<path> or redis://',
    );
  }

  for (const name of ['ALLOWED_DOMAINS', 'ALLOWED_EMAILS'] as const) {
    if (env[name] !== undefined && list(env[name]).length === 0) {
      problems.push(
        `${name} is set but empty: expected at least one entry (an empty list would not mean "everyone"); unset it to leave it out`,
      );
    }
  }
  const allowedDomains = list(env.ALLOWED_DOMAINS).map((d) => d.toLowerCase());
  for (const d of allowedDomains) {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(d)) {
      problems.push(`ALLOWED_DOMAINS contains "${d}": expected domain names such as example.com, comma-separated`);
    }
  }
  const allowedEmails = list(env.ALLOWED_EMAILS).map((e) => e.toLowerCase());
  for (const e of allowedEmails) {
    if (!z.email().safeParse(e).success)
      problems.push(`ALLOWED_EMAILS contains "${e}": expected e-mail addresses, comma-separated`);
  }
  if (
    deployment &&
    allowedDomains.length === 0 &&
    allowedEmails.length === 0 &&
    env.ALLOWED_DOMAINS === undefined &&
    env.ALLOWED_EMAILS === undefined
  ) {
    problems.push(
      'ALLOWED_DOMAINS and ALLOWED_EMAILS are both unset: set at least one, or any Google account could sign in',
    );
  }

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL="${env.LOG_LEVEL}" is not valid: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  let googleApiBaseUrl: string | undefined;
  if (env.GOOGLE_API_BASE_URL) {
    const u = parseUrl('GOOGLE_API_BASE_URL', env.GOOGLE_API_BASE_URL, problems, 'an absolute http(s) URL');
    if (u && u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
      problems.push(
        `GOOGLE_API_BASE_URL="${env.GOOGLE_API_BASE_URL}" is not valid: plain http is accepted only on loopback addresses`,
      );
    }
    googleApiBaseUrl = u ? u.href.replace(/\/+$/, '') : undefined;
  }

  const defaultProject = env.DEFAULT_PROJECT || undefined;
  if (defaultProject && !isProjectId(defaultProject)) {
    problems.push(
      `DEFAULT_PROJECT="${defaultProject}" is not valid: expected a Google Cloud project id such as my-project-123`,
    );
  }

  let trustProxy: Config['trustProxy'] = false;
  const parsedProxy = parseTrustProxy(env.TRUST_PROXY);
  if (typeof parsedProxy === 'string') problems.push(`TRUST_PROXY="${env.TRUST_PROXY}" is not valid: ${parsedProxy}`);
  else trustProxy = parsedProxy;
  if (baseUrl?.protocol === 'https:' && trustProxy === false) {
    warnings.push(
      'BASE_URL is https but TRUST_PROXY is not set: if Scopewise runs behind a load balancer or TLS proxy, every user shares its address and one rate-limit counter (anyone could lock sign-in); set TRUST_PROXY to the number of proxies in front or their addresses',
    );
  }

  const rateLimitPerMinute = num('RATE_LIMIT_PER_MINUTE', 30, 1, 10_000_000);
  const sessionIdleMinutes = num('SESSION_IDLE_MINUTES', 60, 1, 60 * 24 * 30);
  const sessionAbsoluteHours = num('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 90);

  const tokenKeys = env.TOKEN_KEYS || undefined;
  if (!tokenKeys && deployment) {
    problems.push(
      'TOKEN_KEYS is not set: expected one or more <kid>:<base64 of 32 random bytes>, comma-separated (the first encrypts); generate one with `npm run token-key`',
    );
  }

  // The option modules validate their own variables; their problems are reported with the others.
  const own = parseWorkloadConfig(env);
  // The demo's first pass has no client yet (the launcher loads the configuration again with the mock's).
  const risc = parseRiscConfig(env, demo ? { clientId: 'scopewise-demo' } : {});
  const regions = parseReviewRegions(env);
  const drain = parseDrainConfig(env);
  problems.push(
    ...own.problems,
    ...risc.problems,
    ...regions.problems.map((p) => `${p.variable}: ${p.message}`),
    ...drain.problems,
  );

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
    own: own.value,
    risc: risc.value,
    workloadRegions: regions.value.regions,
    drain: drain.value,
    warnings,
  };
}

/** What the maintenance commands (re-encryption) need: the store and the keys, nothing about sign-in. */
export interface MaintenanceConfig {
  sessionStore: SessionStoreSpec;
  tokenKeys: string;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  logLevel: Config['logLevel'];
}

export function loadMaintenanceConfig(env: NodeJS.ProcessEnv): MaintenanceConfig {
  const problems: string[] = [];
  const sessionStore = sessionStoreSetting(env, problems);
  if (sessionStore.kind === 'memory')
    problems.push('SESSION_STORE=memory keeps nothing to maintain: point SESSION_STORE at the store the app uses');
  const tokenKeys = env.TOKEN_KEYS ?? '';
  if (!tokenKeys) problems.push('TOKEN_KEYS is not set: expected the keys, the newest first');
  const int = (name: string, fallback: number, max: number): number =>
    intSetting(env, name, fallback, 1, max, problems);
  const sessionIdleMinutes = int('SESSION_IDLE_MINUTES', 60, 60 * 24 * 30);
  const sessionAbsoluteHours = int('SESSION_ABSOLUTE_HOURS', 12, 24 * 90);
  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL="${env.LOG_LEVEL}" is not valid: expected one of ${LOG_LEVELS.join(', ')}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { sessionStore, tokenKeys, sessionIdleMinutes, sessionAbsoluteHours, logLevel };
}
