// `npm run rolling`: rolling restarts behind a real load balancer, then a Redis restart, under load.
//
// Everything on loopback, started and stopped by this process (by pid): a redis-server on a free port with
// persistence on (append-only file, so a restart keeps the sessions), the mock Google, two Scopewise
// instances sharing that Redis (no sticky sessions), and Debian's HAProxy in front with a generated config
// (round robin, an HTTP health check on /readyz, retries with redispatch on connection failures). It signs
// sessions in through HAProxy, then keeps a bounded load of signed-in `GET /vms?project=acme-prod` going
// through HAProxy while it
//   1. restarts instance A (SIGTERM, wait for its exit, start it again, wait until HAProxy sees it UP), then B:
//      expected zero failed requests and zero lost sessions;
//   2. restarts Redis (SIGTERM, down for ROLLING_REDIS_DOWN_MS, start again on the same files): requests
//      during the outage answer 503 (never 500), the sessions survive, and the instances recover by themselves.
// Figures go to stdout and bench/rolling-results.md / .json; the exit code is 1 when an expectation fails.
//
// Settings (environment): ROLLING_SESSIONS (20), ROLLING_LOOPS (8 concurrent request loops),
// ROLLING_THINK_MS (20, pause between a loop's requests), ROLLING_TTL_S (20, the mock's access-token lifetime,
// so that refreshes happen during the restarts), ROLLING_DRAIN_SECONDS (unset: the app's default),
// ROLLING_REDIS_DOWN_MS (3000), HAPROXY (/usr/sbin/haproxy), BENCH_LOG_DIR (keep every child's output there).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ROOT,
  DIST,
  SIGN_IN_EMAIL,
  appEnv,
  consent,
  elapsedLog,
  freePort,
  installExitGuards,
  probe,
  request,
  signIn,
  sleep,
  spawnNode,
  startMock,
  stopAll,
  summarise,
  round,
  type Child,
} from './lib.js';
import { ping as redisPing } from '../test/support/redis.js';
import { DEFAULT_DRAIN_CONFIG } from '../src/lifecycle/drain.js';

const SESSIONS = Number(process.env.ROLLING_SESSIONS ?? '20');
const LOOPS = Number(process.env.ROLLING_LOOPS ?? '8');
const THINK_MS = Number(process.env.ROLLING_THINK_MS ?? '20');
const TTL_S = Number(process.env.ROLLING_TTL_S ?? '20');
const DRAIN_SECONDS = process.env.ROLLING_DRAIN_SECONDS;
const REDIS_DOWN_MS = Number(process.env.ROLLING_REDIS_DOWN_MS ?? '3000');
const HAPROXY = process.env.HAPROXY ?? (fs.existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');
/** HAProxy health check: every 1 s, 2 failures to go DOWN, 2 successes to come back UP. */
const CHECK = { interMs: 1000, fall: 2, rise: 2 };
const PAGE = '/vms?project=acme-prod';
/** Text that only the real VM table holds (the mock's first VM in acme-prod). */
const PAGE_MARKER = 'web-1';
const HARD_LIMIT_MS = 6 * 60_000;

const log = elapsedLog('rolling');

// ---------------------------------------------------------------------------------------------------
// Processes other than node (redis-server, haproxy), killed by pid if the run ends early

const others = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of others) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function spawnOther(
  name: string,
  cmd: string,
  args: string[],
  logFile: string,
): { proc: ChildProcess; exited: Promise<number | null> } {
  const out = fs.openSync(logFile, 'a');
  const proc = spawn(cmd, args, { stdio: ['ignore', out, out], cwd: os.tmpdir() });
  fs.closeSync(out);
  others.add(proc);
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      others.delete(proc);
      resolve(code);
    }),
  );
  proc.once('error', (err) => log(`${name}: ${err.message}`));
  return { proc, exited };
}

async function stopOther(
  p: { proc: ChildProcess; exited: Promise<number | null> },
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return p.proc.exitCode;
  p.proc.kill(signal);
  const t = setTimeout(() => p.proc.kill('SIGKILL'), 10_000);
  const code = await p.exited;
  clearTimeout(t);
  return code;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------------
// Redis with persistence

function startRedis(port: number, dir: string) {
  const p = spawnOther(
    'redis-server',
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    path.join(dir, 'redis.out'),
  );
  return p;
}

// ---------------------------------------------------------------------------------------------------
// HAProxy

function haproxyConfig(o: {
  lbPort: number;
  servers: Array<{ name: string; port: number }>;
  statsSocket: string;
}): string {
  return `# Generated by bench/rolling.ts: what an operator would run in front of two Scopewise instances.
global
    maxconn 2000
    stats socket ${o.statsSocket} mode 600 level admin
    log stdout format raw local0

defaults
    mode http
    log global
    # httplog without the query string (a callback's code and state stay out of the log).
    log-format "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %HM %HP"
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 10s
    timeout check 2s
    # A connection refused by an instance that stopped listening is retried, on another server.
    retries 3
    option redispatch 1
    retry-on conn-failure

frontend scopewise_in
    bind 127.0.0.1:${o.lbPort}
    option forwardfor
    default_backend scopewise

backend scopewise
    balance roundrobin
    # No stickiness: sessions live in Redis. Out of rotation as soon as /readyz stops answering 200.
    option httpchk
    http-check send meth GET uri /readyz
    http-check expect status 200
    default-server check inter ${CHECK.interMs} fall ${CHECK.fall} rise ${CHECK.rise}
${o.servers.map((s) => `    server ${s.name} 127.0.0.1:${s.port}`).join('\n')}
`;
}

/** `show stat` over the admin socket: one record per proxy/server row, keyed by the CSV header. */
function haproxyStats(socketPath: string): Promise<Array<Record<string, string>>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let text = '';
    s.setTimeout(2000, () => s.destroy(new Error('haproxy stats: timeout')));
    s.on('data', (d) => (text += d.toString()));
    s.on('error', reject);
    s.on('close', () => {
      const lines = text.split('\n').filter(Boolean);
      const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
      resolve(lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i] ?? String(i), v]))));
    });
    s.once('connect', () => s.end('show stat\n'));
  });
}

async function serverStatus(socketPath: string, name: string): Promise<string> {
  const rows = await haproxyStats(socketPath).catch(() => []);
  return rows.find((r) => r.pxname === 'scopewise' && r.svname === name)?.status ?? 'unknown';
}

// ---------------------------------------------------------------------------------------------------
// The load

interface Sample {
  start: number;
  end: number;
  ms: number;
  /** HTTP status, or 0 for a transport error. */
  status: number;
  /** 200 with the real VM table. */
  good: boolean;
  /** A 503 from Scopewise itself (its Retry-After), not from HAProxy (no server available). */
  appUnavailable?: boolean;
  error?: string;
}

/** What happened during a phase, in ms since it began (or an exit code). */
type Notes = Record<string, number | null>;

interface Phase {
  name: string;
  start: number;
  end: number;
  notes: Notes;
}

type Figures = ReturnType<typeof figures>;

/** What bench/rolling-results.json holds. */
interface RollingResults {
  date: string;
  node: string;
  settings: {
    sessions: number;
    loops: number;
    thinkMs: number;
    accessTokenTtlS: number;
    drainSeconds: string;
    redisDownMs: number;
    healthCheck: typeof CHECK;
  };
  overall: Figures;
  rollingRestarts: Figures & {
    restartA: Figures & { notes: Notes };
    restartB: Figures & { notes: Notes };
    sessionsChecked: number;
    sessionsLost: number;
  };
  redisRestart: Figures & {
    notes: Notes;
    duringOutage: Figures;
    answered503: number;
    answered503ByHaproxy: number;
    answered500: number;
    otherFailures: number;
    firstGoodAfterRedisBackMs: number | null;
    lastFailureAfterRedisBackMs: number;
    sessionsChecked: number;
    sessionsLost: number;
  };
  haproxy: {
    retries: number;
    redispatches: number;
    perServer: Record<string, { responses: number; downtimeS: number; checkFailures: number }>;
  };
  transportErrors: Array<[string, number]>;
  verdicts: Record<string, boolean>;
  passed: boolean;
}

/** How many times each value occurs, in order of first occurrence. */
function countBy(values: string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts];
}

function figures(samples: Sample[]) {
  const byStatus: Record<string, number> = {};
  for (const s of samples)
    byStatus[s.status === 0 ? 'transport error' : String(s.status)] =
      (byStatus[String(s.status === 0 ? 'transport error' : s.status)] ?? 0) + 1;
  const lat = summarise(samples.filter((s) => s.status !== 0).map((s) => s.ms));
  return {
    requests: samples.length,
    failures: samples.filter((s) => !s.good).length,
    byStatus,
    p50Ms: round(lat.p50, 1),
    p99Ms: round(lat.p99, 1),
    maxMs: round(lat.max, 1),
  };
}

async function main(): Promise<void> {
  installExitGuards();
  const hardStop = setTimeout(() => {
    console.error(`rolling: still running after ${HARD_LIMIT_MS / 60_000} min; stopping`);
    for (const c of others) c.kill('SIGKILL');
    void stopAll().finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  hardStop.unref();
  if (!fs.existsSync(HAPROXY) && HAPROXY.includes('/'))
    throw new Error(`no HAProxy at ${HAPROXY}: install Debian's haproxy (scripts/ensure-haproxy.sh) or set HAPROXY`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-rolling-'));
  const logDir = process.env.BENCH_LOG_DIR ?? tmp;
  let haproxy: ReturnType<typeof spawnOther> | undefined;
  let redis: ReturnType<typeof spawnOther> | undefined;
  let passed = false;
  try {
    const [redisPort, mockPort, lbPort, portA, portB] = (await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ])) as [number, number, number, number, number];
    const lbUrl = `http://127.0.0.1:${lbPort}`;
    const redisUrl = `redis://127.0.0.1:${redisPort}`;

    redis = startRedis(redisPort, tmp);
    await until('redis-server answers', async () => ((await redisPing(redisPort)) ? true : undefined), 10_000);

    const mock = await startMock(mockPort, [`${lbUrl}/auth/callback`]);
    await mock.control('settings', { autoApprove: { email: SIGN_IN_EMAIL }, accessTokenTtlSeconds: TTL_S });

    const extra: Record<string, string> = {
      BASE_URL: lbUrl,
      TRUST_PROXY: 'loopback',
      // appEnv turns the drain delay off (the benchmarks stop their apps at once); here it is the point: the
      // operator's value, or empty for the app's own default.
      SHUTDOWN_DRAIN_SECONDS: DRAIN_SECONDS ?? '',
    };
    const startInstance = (name: string, port: number): Promise<Child> =>
      spawnNode({
        name,
        script: path.join(DIST, 'src/main.js'),
        env: appEnv(port, mock.url, redisUrl, extra),
        url: `http://127.0.0.1:${port}`,
        readyPath: '/readyz',
        readyTimeoutMs: 30_000,
      });
    const instances: Record<'a' | 'b', { port: number; child: Child }> = {
      a: { port: portA, child: await startInstance('app-a', portA) },
      b: { port: portB, child: await startInstance('app-b', portB) },
    };

    const statsSocket = path.join(tmp, 'haproxy.sock');
    const cfgFile = path.join(tmp, 'haproxy.cfg');
    fs.writeFileSync(
      cfgFile,
      haproxyConfig({
        lbPort,
        statsSocket,
        servers: [
          { name: 'a', port: portA },
          { name: 'b', port: portB },
        ],
      }),
    );
    const haproxyLog = path.join(logDir, 'haproxy.log');
    haproxy = spawnOther('haproxy', HAPROXY, ['-db', '-f', cfgFile], haproxyLog);
    const bothUp = async () =>
      (await serverStatus(statsSocket, 'a')) === 'UP' && (await serverStatus(statsSocket, 'b')) === 'UP'
        ? true
        : undefined;
    await until('HAProxy sees both instances UP', bothUp, 20_000, 100);
    log(`redis ${redisUrl} (append-only), mock ${mock.url}, instances a :${portA} b :${portB}, HAProxy ${lbUrl}`);

    // Sign in and grant the VM feature through HAProxy (each hop may land on either instance).
    const cookies: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const v = await signIn(lbUrl);
      await consent(lbUrl, v, 'vms');
      cookies.push(v.cookieFor(lbUrl));
    }
    const first = await request(lbUrl + PAGE, { headers: { cookie: cookies[0]! } });
    if (first.status !== 200 || !first.body.includes(PAGE_MARKER))
      throw new Error(`a signed-in ${PAGE} answered ${first.status} without the VM table`);
    log(`${SESSIONS} sessions signed in through HAProxy with the VM feature granted`);

    const checkSessions = async (): Promise<{ checked: number; lost: number }> => {
      let lost = 0;
      for (const cookie of cookies) {
        const me = await request(`${lbUrl}/me`, { headers: { cookie } }).catch(() => undefined);
        const scopes = me?.status === 200 ? ((JSON.parse(me.body) as { scopes?: string[] }).scopes ?? []) : [];
        if (!scopes.some((s) => s.endsWith('/compute.readonly'))) lost++;
      }
      return { checked: cookies.length, lost };
    };

    // The load: LOOPS loops, each sending signed-in requests one after another, sessions in turn.
    const samples: Sample[] = [];
    let stopLoad = false;
    let nextSession = 0;
    const loops = Array.from({ length: LOOPS }, async () => {
      while (!stopLoad) {
        const cookie = cookies[nextSession++ % cookies.length]!;
        const start = Date.now();
        try {
          const r = await request(lbUrl + PAGE, { headers: { cookie }, timeoutMs: 20_000 });
          samples.push({
            start,
            end: Date.now(),
            ms: r.ms,
            status: r.status,
            good: r.status === 200 && r.body.includes(PAGE_MARKER),
            ...(r.status === 503 ? { appUnavailable: r.headers['retry-after'] === '5' } : {}),
          });
        } catch (err) {
          samples.push({
            start,
            end: Date.now(),
            ms: Date.now() - start,
            status: 0,
            good: false,
            error: err instanceof Error ? err.message : String(err),
          });
          await sleep(50);
        }
        if (THINK_MS > 0) await sleep(THINK_MS);
      }
    });

    const phases: Phase[] = [];
    const phase = async (name: string, body: (notes: Notes) => Promise<void>) => {
      const p: Phase = { name, start: Date.now(), end: 0, notes: {} };
      phases.push(p);
      await body(p.notes);
      p.end = Date.now();
      log(`${name}: ${((p.end - p.start) / 1000).toFixed(1)} s ${JSON.stringify(p.notes)}`);
    };

    const restart = (key: 'a' | 'b') => async (notes: Notes) => {
      const inst = instances[key];
      const proc = inst.child.proc;
      const exit = new Promise<number | null>((resolve) => {
        if (proc.exitCode !== null) resolve(proc.exitCode);
        else proc.once('exit', (code) => resolve(code));
      });
      const t0 = Date.now();
      proc.kill('SIGTERM');
      await until(
        `HAProxy marks ${key} DOWN`,
        async () => ((await serverStatus(statsSocket, key)).startsWith('DOWN') ? true : undefined),
        30_000,
        100,
      );
      notes.markedDownAfterMs = Date.now() - t0;
      notes.exitCode = await exit;
      notes.exitedAfterMs = Date.now() - t0;
      inst.child = await startInstance(`app-${key}`, inst.port);
      notes.readyAfterMs = Date.now() - t0;
      await until(
        `HAProxy marks ${key} UP`,
        async () => ((await serverStatus(statsSocket, key)) === 'UP' ? true : undefined),
        30_000,
        100,
      );
      notes.upAfterMs = Date.now() - t0;
    };

    await phase('warm-up', async () => sleep(3000));
    await phase('restart A', restart('a'));
    await phase('between', async () => sleep(2000));
    await phase('restart B', restart('b'));
    await phase('after restarts', async () => sleep(2000));
    const afterRestarts = await checkSessions();
    log(
      `sessions after the restarts: ${afterRestarts.checked - afterRestarts.lost} of ${afterRestarts.checked} still signed in with their grant`,
    );
    // The load keeps running into the Redis restart: a request counts for the restarts only if it was answered
    // before Redis was stopped (one still in flight then may rightly answer 503, and is judged with the Redis
    // restart's rules).
    let redisStoppedAt = Number.POSITIVE_INFINITY;

    let redisBackAt = 0;
    await phase('Redis restart', async (notes) => {
      redisStoppedAt = Date.now();
      const code = await stopOther(redis!);
      notes.redisExitCode = code;
      const downAt = Date.now();
      await sleep(REDIS_DOWN_MS);
      redis = startRedis(redisPort, tmp);
      await until(
        'redis-server answers again',
        async () => ((await redisPing(redisPort)) ? true : undefined),
        10_000,
        20,
      );
      redisBackAt = Date.now();
      notes.downForMs = redisBackAt - downAt;
      // The instances reconnect by themselves: /healthz on each, directly, until both say ready.
      await until(
        'instances healthy again',
        async () => {
          const [a, b] = await Promise.all([
            probe(`http://127.0.0.1:${portA}/healthz`),
            probe(`http://127.0.0.1:${portB}/healthz`),
          ]);
          return a === 200 && b === 200 ? true : undefined;
        },
        30_000,
        20,
      );
      notes.instancesHealthyAfterMs = Date.now() - redisBackAt;
    });
    await phase('after Redis', async () => sleep(3000));
    stopLoad = true;
    await Promise.all(loops);
    const afterRedis = await checkSessions();
    const stats = await haproxyStats(statsSocket);
    const backend = stats.find((r) => r.pxname === 'scopewise' && r.svname === 'BACKEND') ?? {};
    const servers = stats.filter((r) => r.pxname === 'scopewise' && (r.svname === 'a' || r.svname === 'b'));

    // Figures
    const inPhase = (p: Phase) => samples.filter((s) => s.start >= p.start && s.start < p.end);
    const beforeRedisStop = (s: Sample) => s.end < redisStoppedAt;
    const rollingSamples = samples.filter(beforeRedisStop);
    const redisPhase = phases.find((p) => p.name === 'Redis restart')!;
    const redisSamples = samples.filter((s) => !beforeRedisStop(s));
    const outage = inPhase(redisPhase);
    const bad = redisSamples.filter((s) => !s.good);
    const lastBad = bad.reduce((m, s) => Math.max(m, s.end), 0);
    const firstGoodAfterBack = redisSamples.find((s) => s.start >= redisBackAt && s.good);
    const count = (xs: Sample[], f: (s: Sample) => boolean) => xs.filter(f).length;
    const redisUnexpected = count(redisSamples, (s) => !s.good && s.status !== 503);
    const restartA = phases.find((p) => p.name === 'restart A')!;
    const restartB = phases.find((p) => p.name === 'restart B')!;
    const exitCodesOk = restartA.notes.exitCode === 0 && restartB.notes.exitCode === 0;
    // An instance that exits before its drain delay is over cuts requests the load balancer still sends it.
    const drainMs = DRAIN_SECONDS !== undefined ? Number(DRAIN_SECONDS) * 1000 : DEFAULT_DRAIN_CONFIG.drainDelayMs;
    const drained = (n: Notes) => typeof n.exitedAfterMs === 'number' && n.exitedAfterMs >= drainMs;

    const verdicts = {
      zeroFailedRequestsAcrossRestarts: rollingSamples.every((s) => s.good),
      zeroLostSessionsAfterRestarts: afterRestarts.lost === 0,
      instancesExitedCleanly: exitCodesOk,
      instancesServedThroughTheDrainDelay: drained(restartA.notes) && drained(restartB.notes),
      outageSeenAs503: count(outage, (s) => s.status === 503) > 0,
      every503FromScopewise: count(redisSamples, (s) => s.status === 503 && !s.appUnavailable) === 0,
      never500DuringRedisRestart: count(redisSamples, (s) => s.status >= 500 && s.status !== 503) === 0,
      onlyOkOr503DuringRedisRestart: redisUnexpected === 0,
      zeroLostSessionsAfterRedis: afterRedis.lost === 0,
      recoveredBySelf: Boolean(firstGoodAfterBack) && typeof redisPhase.notes.instancesHealthyAfterMs === 'number',
    };
    passed = Object.values(verdicts).every(Boolean);

    const results: RollingResults = {
      date: new Date().toISOString(),
      node: process.version,
      settings: {
        sessions: SESSIONS,
        loops: LOOPS,
        thinkMs: THINK_MS,
        accessTokenTtlS: TTL_S,
        drainSeconds: DRAIN_SECONDS ?? 'app default (5)',
        redisDownMs: REDIS_DOWN_MS,
        healthCheck: CHECK,
      },
      overall: figures(samples),
      rollingRestarts: {
        ...figures(rollingSamples),
        restartA: { ...figures(inPhase(restartA)), notes: restartA.notes },
        restartB: { ...figures(inPhase(restartB)), notes: restartB.notes },
        sessionsChecked: afterRestarts.checked,
        sessionsLost: afterRestarts.lost,
      },
      redisRestart: {
        ...figures(redisSamples),
        duringOutage: figures(outage),
        answered503: count(redisSamples, (s) => s.status === 503),
        answered503ByHaproxy: count(redisSamples, (s) => s.status === 503 && !s.appUnavailable),
        answered500: count(redisSamples, (s) => s.status === 500),
        otherFailures: redisUnexpected,
        notes: redisPhase.notes,
        firstGoodAfterRedisBackMs: firstGoodAfterBack ? firstGoodAfterBack.end - redisBackAt : null,
        lastFailureAfterRedisBackMs: lastBad ? Math.max(0, lastBad - redisBackAt) : 0,
        sessionsChecked: afterRedis.checked,
        sessionsLost: afterRedis.lost,
      },
      haproxy: {
        retries: Number(backend.wretr ?? 0),
        redispatches: Number(backend.wredis ?? 0),
        perServer: Object.fromEntries(
          servers.map((s) => [
            s.svname,
            {
              responses: ['1xx', '2xx', '3xx', '4xx', '5xx'].reduce((n, k) => n + Number(s[`hrsp_${k}`] ?? 0), 0),
              downtimeS: Number(s.downtime),
              checkFailures: Number(s.chkfail),
            },
          ]),
        ),
      },
      transportErrors: countBy(samples.filter((s) => s.status === 0).map((s) => s.error ?? '?')),
      verdicts,
      passed,
    };
    fs.writeFileSync(path.join(ROOT, 'bench/rolling-results.json'), JSON.stringify(results, null, 2) + '\n');
    const md = renderMarkdown(results);
    fs.writeFileSync(path.join(ROOT, 'bench/rolling-results.md'), md);
    console.log(md);
    if (!passed) {
      const failed = Object.entries(verdicts)
        .filter(([, ok]) => !ok)
        .map(([k]) => k);
      console.error(`rolling: FAILED (${failed.join(', ')}); HAProxy log: ${haproxyLog}`);
      for (const s of samples.filter((x) => !x.good && beforeRedisStop(x)).slice(0, 20))
        console.error(`  ${new Date(s.start).toISOString()} ${s.status} ${s.error ?? ''}`);
      process.exitCode = 1;
    }
  } finally {
    if (haproxy) await stopOther(haproxy, 'SIGUSR1').catch(() => undefined);
    await stopAll();
    if (redis) await stopOther(redis).catch(() => undefined);
    // Keep the temp folder (HAProxy log, Redis files) when the run failed, for diagnosis.
    if (passed && !process.env.BENCH_LOG_DIR) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

function renderMarkdown(r: RollingResults): string {
  const rr = r.rollingRestarts;
  const rd = r.redisRestart;
  const a = rr.restartA.notes;
  const b = rr.restartB.notes;
  const st = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  const row = (name: string, f: Figures) =>
    `| ${name} | ${f.requests} | ${f.failures} | ${st(f.byStatus)} | ${f.p50Ms} | ${f.p99Ms} | ${f.maxMs} |`;
  return [
    `# Rolling restarts behind HAProxy, then a Redis restart (\`npm run rolling\`)`,
    '',
    `${r.date}, Node ${r.node}, loopback. Two Scopewise instances on one Redis (append-only file), HAProxy round robin without stickiness, health check \`GET /readyz\` every ${r.settings.healthCheck.interMs} ms (fall ${r.settings.healthCheck.fall}, rise ${r.settings.healthCheck.rise}), \`retries 3\`, \`option redispatch\`, \`retry-on conn-failure\`. ${r.settings.sessions} sessions signed in through HAProxy; ${r.settings.loops} loops of signed-in \`GET ${PAGE}\` (${r.settings.thinkMs} ms between a loop's requests); access tokens live ${r.settings.accessTokenTtlS} s; drain delay: ${r.settings.drainSeconds}.`,
    '',
    `**Verdict: ${r.passed ? 'PASS' : 'FAIL'}** — ${Object.entries(r.verdicts)
      .map(([k, v]) => `${k} ${v ? '✓' : '✗'}`)
      .join(', ')}`,
    '',
    '| window | requests | failed | by status | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|',
    row('whole run', r.overall),
    row('both rolling restarts (answered from the warm-up until Redis is stopped)', rr),
    row('during restart A (SIGTERM → HAProxy sees it UP again)', rr.restartA),
    row('during restart B', rr.restartB),
    row('Redis restart and after', rd),
    row('during the Redis outage (stop → both instances healthy)', rd.duringOutage),
    '',
    `- Restart A: HAProxy marked it DOWN ${a.markedDownAfterMs} ms after SIGTERM; exit code ${a.exitCode} after ${a.exitedAfterMs} ms; ready again at ${a.readyAfterMs} ms; UP in HAProxy at ${a.upAfterMs} ms.`,
    `- Restart B: DOWN at ${b.markedDownAfterMs} ms; exit code ${b.exitCode} after ${b.exitedAfterMs} ms; ready at ${b.readyAfterMs} ms; UP at ${b.upAfterMs} ms.`,
    `- Sessions after both restarts: ${rr.sessionsChecked - rr.sessionsLost} of ${rr.sessionsChecked} still signed in with their grant (lost: **${rr.sessionsLost}**).`,
    `- Redis down for ${rd.notes.downForMs} ms (SIGTERM, then started again on its files): **${rd.answered503}** answers 503 (${rd.answered503ByHaproxy} of them from HAProxy rather than Scopewise), **${rd.answered500}** answers 500, ${rd.otherFailures} other failures. First good answer ${rd.firstGoodAfterRedisBackMs} ms after Redis answered again; last failed answer ${rd.lastFailureAfterRedisBackMs} ms after; both instances' /healthz back to 200 ${rd.notes.instancesHealthyAfterMs} ms after.`,
    `- Sessions after the Redis restart: ${rd.sessionsChecked - rd.sessionsLost} of ${rd.sessionsChecked} (lost: **${rd.sessionsLost}**).`,
    `- HAProxy: ${r.haproxy.retries} retries, ${r.haproxy.redispatches} redispatches; per server: ${Object.entries(
      r.haproxy.perServer,
    )
      .map(([k, v]) => `${k} ${v.responses} responses, down ${v.downtimeS} s`)
      .join('; ')}.`,
    r.transportErrors.length
      ? `- Transport errors: ${r.transportErrors.map(([m, n]) => `${m}: ${n}`).join('; ')}`
      : '- Transport errors: none.',
    '',
  ].join('\n');
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  for (const c of others) c.kill('SIGKILL');
  await stopAll();
  process.exit(1);
});
