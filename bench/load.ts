// `npm run load` (issue 5, Load): a bounded load test on loopback. 200 signed-in sessions call features
// against the mock Google for 30 s while their access tokens expire during the run; then it reports 5xx
// answers, lost sessions (every session must still answer /me with 200) and refreshes per session per
// expiry (the mock's refresh count against the number the vault's rule predicts from the calls made).
//
// The vault refreshes ahead of expiry by min(skew, lifetime / 2) with skew = 60 s (src/tokens/vault.ts),
// so with the mock's access tokens living LOAD_TTL_S = 10 s a token is refreshed once it is 5 s old: each
// session goes through several expiries in 30 s.
//
// Settings (environment): LOAD_SESSIONS (200), LOAD_SECONDS (30), LOAD_TTL_S (10), LOAD_PER_SESSION
// (concurrent request loops per session, 2), LOAD_THINK_MS (pause between a loop's calls, 1500), LOAD_STORE (sqlite | memory | redis), LOAD_INSTANCES (1; 2
// with redis shares the sessions between two instances), BENCH_REDIS_DB (13, must be empty; flushed after).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import {
  ALL_FEATURES,
  SIGN_IN_EMAIL,
  consent,
  elapsedLog,
  freePort,
  installExitGuards,
  request,
  signIn,
  sleep,
  startApp,
  startMock,
  stopAll,
  summarise,
  type Child,
} from './lib.js';

const SESSIONS = Number(process.env.LOAD_SESSIONS ?? '200');
const SECONDS = Number(process.env.LOAD_SECONDS ?? '30');
const TTL_S = Number(process.env.LOAD_TTL_S ?? '10');
const PER_SESSION = Number(process.env.LOAD_PER_SESSION ?? '2');
/** Pause between a loop's calls (a person reading the page); 0 saturates the app. Starts are spread over it. */
const THINK_MS = Number(process.env.LOAD_THINK_MS ?? '1500');
const STORE = process.env.LOAD_STORE ?? 'sqlite';
const INSTANCES = Number(process.env.LOAD_INSTANCES ?? '1');
const REDIS_URL = `${process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'}/${process.env.BENCH_REDIS_DB ?? '13'}`;
/** The vault's refresh-ahead rule for a token of this lifetime (vault.ts: min(skewMs = 60 s, lifetime / 2)). */
const REFRESH_AT_AGE_MS = TTL_S * 1000 - Math.min(60_000, Math.floor((TTL_S * 1000) / 2));
const FEATURES = ['vms', 'buckets', 'cloud-run'];
const PAGES = ['/vms?project=acme-prod', '/buckets?project=acme-prod', '/cloud-run?project=acme-prod'];

const log = elapsedLog('load');

interface Call {
  sent: number;
  done: number;
  status: number;
}

/**
 * How many refreshes the vault's rule predicts for one session from the calls it made: a call that finds
 * the token at least REFRESH_AT_AGE_MS old refreshes (once, shared by the calls in flight with it), and
 * the new token counts its age from the refresh. When the app looked at the token is only known to within
 * the call (between its start and its answer), so the prediction is a range: fewest refreshes when every
 * call looked at its start and the new token dates from the answer; most in the opposite case.
 */
function predict(obtainedAt: number, calls: Call[]): { low: number; high: number } {
  const sorted = [...calls].sort((a, b) => a.sent - b.sent);
  const count = (lookedAt: 'sent' | 'done', dateFrom: 'sent' | 'done') => {
    let obtained = obtainedAt;
    let refreshing: Call | undefined;
    let n = 0;
    for (const c of sorted) {
      if (refreshing && c.sent <= refreshing.done) continue; // shares the refresh in flight
      refreshing = undefined;
      if (c[lookedAt] - obtained >= REFRESH_AT_AGE_MS) {
        n++;
        refreshing = c;
        obtained = c[dateFrom];
      }
    }
    return n;
  };
  return { low: count('sent', 'done'), high: count('done', 'sent') };
}

async function main(): Promise<void> {
  installExitGuards();
  const hardStop = setTimeout(
    () => {
      console.error('load: still running long after its bound; stopping');
      void stopAll().finally(() => process.exit(2));
    },
    (SECONDS + 240) * 1000,
  );
  hardStop.unref();

  let redis: ReturnType<typeof createClient> | undefined;
  let storeSpec: string;
  let tmp: string | undefined;
  if (STORE === 'redis') {
    redis = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
    redis.on('error', () => undefined);
    await redis.connect();
    if ((await redis.dbSize()) !== 0)
      throw new Error(`Redis ${REDIS_URL} is not empty; set BENCH_REDIS_DB to an unused database number`);
    storeSpec = REDIS_URL;
  } else if (STORE === 'memory') {
    storeSpec = 'memory';
  } else {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-load-'));
    storeSpec = `sqlite:${path.join(tmp, 'sessions.db')}`;
  }
  if (INSTANCES > 1 && STORE !== 'redis')
    throw new Error('LOAD_INSTANCES > 1 needs LOAD_STORE=redis (instances share sessions through Redis)');

  try {
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    const mock = await startMock(
      await freePort(),
      ports.map((p) => `http://127.0.0.1:${p}/auth/callback`),
    );
    await mock.control('settings', { autoApprove: { email: SIGN_IN_EMAIL }, accessTokenTtlSeconds: TTL_S });
    const apps: Child[] = [];
    for (const [i, p] of ports.entries()) apps.push(await startApp(`app-${i}`, p, mock.url, storeSpec));
    log(
      `${INSTANCES} instance(s) on ${STORE}; mock access tokens live ${TTL_S} s, so the vault refreshes a token once it is ${REFRESH_AT_AGE_MS / 1000} s old`,
    );

    // Sign in and grant three features, ten sessions at a time.
    const sessions: Array<{ cookie: string; obtainedAt: number; calls: Call[]; home: Child }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < SESSIONS) {
          const i = next++;
          const home = apps[i % apps.length]!;
          const v = await signIn(home.url);
          for (const f of FEATURES) await consent(home.url, v, f);
          sessions.push({ cookie: v.cookieFor(home.url), obtainedAt: Date.now(), calls: [], home });
        }
      }),
    );
    log(
      `${sessions.length} sessions signed in, each granted ${FEATURES.join(', ')} (of ${ALL_FEATURES.length} features)`,
    );

    // The run: PER_SESSION loops per session, each calling a feature page, then the next, until the end.
    const before = await mock.counts();
    const runStart = Date.now();
    const runEnd = runStart + SECONDS * 1000;
    const statuses = new Map<number, number>();
    let transportErrors = 0;
    const errorKinds = new Map<string, number>();
    const latencies: number[] = [];
    await Promise.all(
      sessions.flatMap((s, si) =>
        Array.from({ length: PER_SESSION }, async (_, k) => {
          let page = (si + k) % PAGES.length;
          await sleep(Math.random() * THINK_MS); // users do not all click in the same millisecond
          while (Date.now() < runEnd) {
            const app = apps[(si + k) % apps.length]!; // with two instances a session's loops go to both
            const sent = Date.now();
            try {
              const r = await request(app.url + PAGES[page]!, { headers: { cookie: s.cookie }, timeoutMs: 20_000 });
              const done = Date.now();
              s.calls.push({ sent, done, status: r.status });
              statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
              latencies.push(r.ms);
            } catch (err) {
              transportErrors++;
              const m = err instanceof Error ? err.message : String(err);
              errorKinds.set(m, (errorKinds.get(m) ?? 0) + 1);
              await sleep(50);
            }
            page = (page + 1) % PAGES.length;
            if (THINK_MS > 0) await sleep(Math.min(THINK_MS, Math.max(0, runEnd - Date.now())));
          }
        }),
      ),
    );
    const runSeconds = (Date.now() - runStart) / 1000;
    if (process.env.LOAD_TIMELINE === '1') {
      // Diagnosis: per second of the run, calls started, their worst latency, and how many took over 1 s.
      for (let t = 0; t < SECONDS; t++) {
        const calls = sessions
          .flatMap((s) => s.calls)
          .filter((c) => c.sent - runStart >= t * 1000 && c.sent - runStart < (t + 1) * 1000);
        const worst = calls.reduce((a, c) => Math.max(a, c.done - c.sent), 0);
        console.error(
          `t=${String(t).padStart(2)}s calls ${String(calls.length).padStart(5)}  worst ${String(worst).padStart(6)} ms  >1s ${calls.filter((c) => c.done - c.sent > 1000).length}`,
        );
      }
    }
    const after = await mock.counts();
    const refreshes = (after.refresh ?? 0) - (before.refresh ?? 0);

    // Every session must still be signed in, with its grant.
    let lost = 0;
    let grantLost = 0;
    for (const s of sessions) {
      const me = await request(`${s.home.url}/me`, { headers: { cookie: s.cookie } });
      if (me.status !== 200) {
        lost++;
        continue;
      }
      const scopes = (JSON.parse(me.body) as { scopes: string[] }).scopes;
      if (!scopes.some((x) => x.endsWith('/compute.readonly'))) grantLost++;
    }

    let low = 0;
    let high = 0;
    for (const s of sessions) {
      const p = predict(s.obtainedAt, s.calls);
      low += p.low;
      high += p.high;
    }
    const expected = (low + high) / 2;
    const five = [...statuses].filter(([st]) => st >= 500).reduce((a, [, n]) => a + n, 0);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const lat = summarise(latencies);
    const ok =
      five === 0 && transportErrors === 0 && lost === 0 && grantLost === 0 && refreshes >= low && refreshes <= high;

    const lines = [
      `# Load test: ${SESSIONS} signed-in sessions × ${PER_SESSION} concurrent loops (${THINK_MS} ms between a loop's calls), ${SECONDS} s, ${INSTANCES} instance(s) on ${STORE}`,
      '',
      '| measure | value |',
      '|---|---|',
      `| requests | ${total} in ${runSeconds.toFixed(1)} s (${(total / runSeconds).toFixed(0)} req/s), p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms |`,
      `| answers by status | ${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([st, n]) => `${st}: ${n}`)
        .join(
          ', ',
        )}; transport errors: ${transportErrors}${errorKinds.size ? ` (${[...errorKinds].map(([m, n]) => `${m}: ${n}`).join('; ')})` : ''} |`,
      `| calls slower than 1 s / 5 s | ${latencies.filter((x) => x > 1000).length} / ${latencies.filter((x) => x > 5000).length} |`,
      `| 5xx answers | **${five}** |`,
      `| lost sessions (GET /me not 200 at the end) | **${lost}** of ${sessions.length}; grants lost: ${grantLost} |`,
      `| access token lifetime / refreshed at age | ${TTL_S} s / ${REFRESH_AT_AGE_MS / 1000} s (vault skew min(60 s, lifetime/2)) |`,
      `| refresh requests at the mock during the run | **${refreshes}** |`,
      `| expiries the calls crossed (vault rule replayed on every session's calls) | ${low === high ? low : `${low}–${high}`} (${(expected / sessions.length).toFixed(2)} per session) |`,
      `| refreshes per session per expiry | **${(refreshes / expected).toFixed(3)}** |`,
      `| verdict | ${ok ? 'PASS: zero 5xx, zero lost sessions, one refresh per session per expiry' : 'FAIL'} |`,
      '',
    ];
    console.log(lines.join('\n'));
    if (!ok) process.exitCode = 1;
  } finally {
    await stopAll();
    if (redis) {
      await redis.flushDb().catch(() => undefined);
      await redis.close().catch(() => undefined);
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  await stopAll();
  process.exit(1);
});
