// Shared pieces of `npm run bench` and `npm run load`: child processes (the mock Google, Scopewise, the
// bare baseline) on loopback, their CPU and memory from /proc, a cookie-keeping HTTP client that walks the
// sign-in and consent flows without a browser, and latency statistics.
// Everything here is bounded: every wait has a deadline, every child is stopped by its pid.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeySpec } from '../src/tokens/crypto.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from dist/bench/). */
export const ROOT = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
export const DIST = path.join(ROOT, 'dist');

export const CLIENT_ID = 'scopewise-bench';
export const CLIENT_SECRET = crypto.randomBytes(16).toString('hex');
export const SIGN_IN_EMAIL = 'alice@example.com';

/** A progress logger on stderr that stamps each line with `tag` and the seconds since it was made. */
export function elapsedLog(tag: string): (msg: string) => void {
  const started = Date.now();
  return (msg) => console.error(`[${tag} ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// The tests' helper (a tiny module, no side effects): the bench builds from the same tsconfig as the tests.
export { freePort } from '../test/support/ports.js';

// ---------------------------------------------------------------------------------------------------
// /proc figures of a child

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* 100 on every Linux we know */
}

/** CPU time (user + system) of a process in ms, from /proc/<pid>/stat (resolution 1/CLK_TCK s). */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: utime is field 14 → index 11, stime 15 → index 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clkTck;
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

// ---------------------------------------------------------------------------------------------------
// Child processes

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  url: string;
  /** Lines the child wrote on stderr (kept for error reports). */
  stderr: string[];
  stop(): Promise<void>;
}

const running = new Set<Child>();

export interface SpawnOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  url: string;
  /** A path answering 200 when ready. */
  readyPath: string;
  nodeArgs?: string[];
  /** `taskset -c` CPU list; the child is pinned after it starts. */
  cpus?: string | undefined;
  readyTimeoutMs?: number;
}

export async function spawnNode(opts: SpawnOptions): Promise<Child> {
  // Diagnosis, e.g. BENCH_CHILD_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles every child.
  const extra = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...extra, ...(opts.nodeArgs ?? []), opts.script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...opts.env,
    },
    stdio: ['ignore', process.env.BENCH_LOG_DIR ? 'pipe' : 'ignore', 'pipe'],
  });
  if (process.env.BENCH_LOG_DIR) {
    // Diagnosis: keep each child's output in BENCH_LOG_DIR/<name>.log.
    const out = fs.createWriteStream(path.join(process.env.BENCH_LOG_DIR, `${opts.name}.log`), { flags: 'a' });
    proc.stdout!.pipe(out);
    proc.stderr!.pipe(out);
  }
  const stderr: string[] = [];
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    stderr.push(d);
    if (stderr.length > 200) stderr.shift();
  });
  if (!proc.pid) throw new Error(`${opts.name}: could not start`);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const child: Child = {
    name: opts.name,
    proc,
    pid: proc.pid,
    url: opts.url,
    stderr,
    async stop() {
      running.delete(child);
      if (exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => {
        if (!exited) proc.kill('SIGKILL');
      }, 5000);
      await exitPromise;
      clearTimeout(t);
    },
  };
  running.add(child);
  if (opts.cpus) pin(child.pid, opts.cpus);
  await waitReady(child, opts.readyPath, opts.readyTimeoutMs ?? 15_000, () => exited);
  return child;
}

export function pin(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  } catch {
    /* not pinned: figures are noisier, not wrong */
  }
}

async function waitReady(child: Child, readyPath: string, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${child.name} exited before it was ready:\n${child.stderr.join('')}`);
    const status = await probe(child.url + readyPath);
    if (status === 200) return;
    await sleep(10);
  }
  throw new Error(`${child.name} was not ready within ${timeoutMs} ms:\n${child.stderr.join('')}`);
}

/** One GET on a fresh connection: the status, or 0 when nothing answered. */
export function probe(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}

/** Stops the children on Ctrl-C / errors too, so nothing outlives the run. */
export function installExitGuards(): void {
  const onSignal = (sig: NodeJS.Signals) => {
    void stopAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const c of running) c.proc.kill('SIGKILL');
  });
}

// ---------------------------------------------------------------------------------------------------
// The mock Google and Scopewise as children

export interface Mock extends Child {
  // biome-ignore lint/suspicious/noExplicitAny: the mock's control answers, parsed JSON read field by field
  control(pathname: string, body?: unknown): Promise<any>;
  counts(): Promise<Record<string, number>>;
}

export async function startMock(port: number, redirectUris: string[], cpus?: string): Promise<Mock> {
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnNode({
    name: 'mock-google',
    script: path.join(DIST, 'mock-google/main.js'),
    env: {
      MOCK_PORT: String(port),
      MOCK_HOST: '127.0.0.1',
      MOCK_CLIENT_ID: CLIENT_ID,
      MOCK_CLIENT_SECRET: CLIENT_SECRET,
      MOCK_REDIRECT_URIS: redirectUris.join(','),
    },
    url,
    readyPath: '/.well-known/openid-configuration',
    cpus,
  });
  const control = async (pathname: string, body?: unknown) => {
    const res = await request(
      `${url}/__control/${pathname}`,
      body === undefined
        ? {}
        : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    if (res.status !== 200) throw new Error(`mock control ${pathname}: ${res.status} ${res.body}`);
    return JSON.parse(res.body);
  };
  return Object.assign(child, { control, counts: () => control('counts') as Promise<Record<string, number>> });
}

export const SESSION_SECRET = crypto.randomBytes(32).toString('hex');
export const TOKEN_KEYS = generateKeySpec('bench1');

/** The environment of a Scopewise child (see src/config/env.ts). */
export function appEnv(
  port: number,
  mockUrl: string,
  sessionStore: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    BASE_URL: `http://127.0.0.1:${port}`,
    OIDC_ISSUER: mockUrl,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    SESSION_SECRET,
    TOKEN_KEYS,
    SESSION_STORE: sessionStore,
    ALLOWED_DOMAINS: 'example.com',
    GOOGLE_API_BASE_URL: mockUrl,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    SHUTDOWN_DRAIN_SECONDS: '0',
    ...extra,
  };
}

export async function startApp(
  name: string,
  port: number,
  mockUrl: string,
  sessionStore: string,
  opts: { cpus?: string | undefined; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<Child> {
  return spawnNode({
    name,
    // src/main.ts refuses the memory store outside tests: a bench launcher allows it (bench/app-memory.ts).
    script: path.join(DIST, sessionStore === 'memory' ? 'bench/app-memory.js' : 'src/main.js'),
    env: appEnv(port, mockUrl, sessionStore, opts.env),
    url: `http://127.0.0.1:${port}`,
    readyPath: '/healthz',
    cpus: opts.cpus,
    ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------
// HTTP without a browser

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent, timeout: init.timeoutMs ?? 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: Number(process.hrtime.bigint() - t0) / 1e6,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${init.method ?? 'GET'} ${new URL(url).pathname}`)));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** A visitor with a cookie jar per origin, following redirects hop by hop. */
export class Visitor {
  readonly jar = new Map<string, Map<string, string>>();

  cookieFor(url: string): string {
    const c = this.jar.get(new URL(url).host);
    return c ? [...c].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
    const cookie = this.cookieFor(url);
    const res = await request(url, { headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    this.keep(url, res);
    return res;
  }

  private keep(url: string, res: Reply): void {
    const set = res.headers['set-cookie'];
    if (!set) return;
    const host = new URL(url).host;
    let c = this.jar.get(host);
    if (!c) {
      c = new Map();
      this.jar.set(host, c);
    }
    for (const sc of set) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0/i.test(a));
      if (expired || value === '') c.delete(name);
      else c.set(name, value);
    }
  }

  /** GETs and follows redirects until `stop(url)` or a non-redirect; returns the last response and where it stopped. */
  async follow(url: string, stop: (u: URL) => boolean = () => false, max = 8): Promise<{ res: Reply; url: URL }> {
    let current = new URL(url);
    for (let i = 0; i <= max; i++) {
      const res = await this.get(current.href);
      const loc = res.headers.location;
      if (res.status >= 300 && res.status < 400 && loc) {
        const next = new URL(loc, current);
        if (stop(next)) return { res, url: next };
        current = next;
        continue;
      }
      return { res, url: current };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/**
 * Signs in through the real flow: GET /login → the mock's authorize (auto-approve) → GET /auth/callback,
 * stopping at the callback's redirect. The mock must have autoApprove set.
 */
export async function signIn(appUrl: string, v = new Visitor()): Promise<Visitor> {
  const { res, url } = await v.follow(
    `${appUrl}/login`,
    (u) => u.origin === appUrl && !u.pathname.startsWith('/auth/callback') && u.pathname !== '/login',
  );
  if (res.status !== 303 || url.pathname !== '/')
    throw new Error(`sign-in ended at ${url.href} with ${res.status}: ${res.body.slice(0, 300)}`);
  return v;
}

/** Incremental consent for a feature through the real flow (auto-approve), ending back on the app. */
export async function consent(appUrl: string, v: Visitor, featureId: string): Promise<void> {
  // As a browser following the feature page's link: same-origin (a request from elsewhere gets a confirmation page).
  const start = `${appUrl}/consent/${featureId}?returnTo=/me`;
  const first = await v.get(start, { 'sec-fetch-site': 'same-origin' });
  if (first.status !== 303 && first.status !== 302)
    throw new Error(`consent for ${featureId} answered ${first.status}: ${first.body.slice(0, 300)}`);
  const next = new URL(first.headers.location!, start);
  if (next.origin === appUrl && next.pathname === '/me') return; // already granted (Google's grant covers it)
  const { res, url } = await v.follow(next.href, (u) => u.origin === appUrl && u.pathname === '/me');
  if (res.status !== 303 || url.pathname !== '/me')
    throw new Error(`consent for ${featureId} ended at ${url.href} with ${res.status}: ${res.body.slice(0, 300)}`);
}

/** The signed-in feature page the benchmarks load, and the scope its upstream call needs. */
export const FEATURE_PATH = '/projects';
export const FEATURE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform.read-only';
const PEER_CLIENT_ID = 'bench-peer-eoc';

/**
 * The express-openid-connect peer (bench/peer-eoc.ts) as a child, with its own OAuth client registered at the
 * mock, signed in once through the mock (auto-approve): GET /login → authorize → GET /callback → /.
 */
export async function startPeer(
  mock: Mock,
  port: number,
  cpus: string | undefined,
  nodeArgs: string[] = [],
): Promise<{ child: Child; cookie: string }> {
  const url = `http://127.0.0.1:${port}`;
  const clientSecret = crypto.randomBytes(16).toString('hex');
  await mock.control('clients', {
    clientId: PEER_CLIENT_ID,
    clientSecret,
    redirectUris: [`${url}/callback`],
    name: 'express-openid-connect peer',
  });
  const child = await spawnNode({
    name: 'peer-eoc',
    script: path.join(DIST, 'bench/peer-eoc.js'),
    env: {
      PORT: String(port),
      MOCK_URL: mock.url,
      PEER_CLIENT_ID,
      PEER_CLIENT_SECRET: clientSecret,
      PEER_SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    },
    url,
    readyPath: '/healthz',
    cpus,
    nodeArgs,
  });
  const v = new Visitor();
  const { res, url: end } = await v.follow(`${url}/login`, (u) => u.origin === url && u.pathname === '/');
  if (res.status !== 302 || end.pathname !== '/')
    throw new Error(`peer sign-in ended at ${end.href} with ${res.status}: ${res.body.slice(0, 300)}`);
  const check = await v.get(`${url}${FEATURE_PATH}`);
  if (check.status !== 200 || !check.body.includes('acme-prod'))
    throw new Error(`peer: GET ${FEATURE_PATH} answered ${check.status}: ${check.body.slice(0, 300)}`);
  return { child, cookie: v.cookieFor(url) };
}

export const ALL_FEATURES = ['projects', 'vms', 'vm-power', 'buckets', 'logs', 'cloud-run', 'service-accounts'];

/**
 * An access token straight from the mock (as the same OAuth client, own code flow), for the direct and
 * bare baselines: they hold a token without any session.
 */
export async function directToken(mockUrl: string, redirectUri: string, scope: string): Promise<string> {
  const q = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope,
    state: 'bench',
  });
  const auth = await request(`${mockUrl}/o/oauth2/v2/auth?${q}`);
  const loc = auth.headers.location;
  if (auth.status !== 302 || !loc) throw new Error(`mock authorize: ${auth.status} ${auth.body.slice(0, 200)}`);
  const code = new URL(loc).searchParams.get('code');
  if (!code) throw new Error(`mock authorize gave no code: ${loc}`);
  const tok = await request(`${mockUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }).toString(),
  });
  if (tok.status !== 200) throw new Error(`mock token: ${tok.status} ${tok.body.slice(0, 200)}`);
  return (JSON.parse(tok.body) as { access_token: string }).access_token;
}

// ---------------------------------------------------------------------------------------------------
// Statistics

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarise(latencies: number[]): { n: number; p50: number; p99: number; mean: number; max: number } {
  const s = Float64Array.from(latencies).sort();
  const arr = Array.from(s);
  const mean = arr.reduce((a, b) => a + b, 0) / (arr.length || 1);
  return { n: arr.length, p50: percentile(arr, 50), p99: percentile(arr, 99), mean, max: arr[arr.length - 1] ?? NaN };
}

export const round = (x: number, digits = 3): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
