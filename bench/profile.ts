// CPU profile of Scopewise's signed-in feature page under load, and nothing else: one Scopewise child under
// `node --cpu-prof`, signed in through the mock Google, then PROFILE_SECONDS (10) of GET /projects at
// PROFILE_CONNECTIONS (10) from autocannon in this process. Prints the self-time summary of the load window
// (start-up and sign-in are skipped) and writes the .cpuprofile to PROFILE_DIR (os tmpdir). PROFILE_OFF=1: no
// profiler, only the server's CPU per request from /proc (a quick before/after check).
//
//   node dist/bench/profile.js [memory|sqlite|redis|peer|bare]   (redis: BENCH_REDIS_URL, database 14, must be empty;
//   peer: the express-openid-connect app of bench/peer-eoc.ts; bare: bench/bare.ts, the same call without auth)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createClient } from 'redis';
import {
  consent,
  cpuMs,
  directToken,
  DIST,
  FEATURE_PATH,
  FEATURE_SCOPE,
  freePort,
  installExitGuards,
  SIGN_IN_EMAIL,
  signIn,
  spawnNode,
  startApp,
  startMock,
  startPeer,
  stopAll,
  type Child,
} from './lib.js';
import { summariseProfile } from './profile-summary.js';

const store = process.argv[2] ?? 'sqlite';
const seconds = Number(process.env.PROFILE_SECONDS ?? '10');
const connections = Number(process.env.PROFILE_CONNECTIONS ?? '10');
const off = process.env.PROFILE_OFF === '1';
const dir = process.env.PROFILE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-profile-'));

/** Kernel CPU time of a process in ms (/proc/<pid>/stat field 15, 100 ticks a second on Linux). */
function sysMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) * 10;
}

async function main(): Promise<void> {
  installExitGuards();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-profile-db-'));
  const appPort = await freePort();
  const mock = await startMock(await freePort(), [`http://127.0.0.1:${appPort}/auth/callback`]);
  await mock.control('settings', { autoApprove: { email: SIGN_IN_EMAIL } });
  let spec = store === 'memory' ? 'memory' : `sqlite:${path.join(tmp, 'sessions.db')}`;
  let redis: ReturnType<typeof createClient> | undefined;
  if (store === 'redis') {
    spec = `${process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'}/14`;
    redis = createClient({ url: spec });
    await redis.connect();
    if ((await redis.dbSize()) !== 0) throw new Error('Redis database 14 is not empty');
  }
  const name = `${store === 'peer' ? 'peer-eoc' : store === 'bare' ? 'bare' : `scopewise-${store}`}-${Date.now()}`;
  const spawned = Date.now();
  const nodeArgs = off ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];
  let app: Child;
  let cookie: string;
  if (store === 'peer') {
    ({ child: app, cookie } = await startPeer(mock, appPort, undefined, nodeArgs));
  } else if (store === 'bare') {
    const token = await directToken(mock.url, `http://127.0.0.1:${appPort}/auth/callback`, FEATURE_SCOPE);
    const env = { PORT: String(appPort), GOOGLE_API_BASE_URL: mock.url, BENCH_ACCESS_TOKEN: token };
    app = await spawnNode({
      name: 'bare',
      script: path.join(DIST, 'bench/bare.js'),
      env,
      url: `http://127.0.0.1:${appPort}`,
      readyPath: '/healthz',
      nodeArgs,
    });
    cookie = '';
  } else {
    // PROFILE_LOG_LEVEL: the app's LOG_LEVEL (the benchmarks run at warn: no request lines).
    app = await startApp('app', appPort, mock.url, spec, {
      nodeArgs,
      env: process.env.PROFILE_LOG_LEVEL ? { LOG_LEVEL: process.env.PROFILE_LOG_LEVEL } : {},
    });
    const v = await signIn(app.url);
    await consent(app.url, v, 'projects');
    cookie = v.cookieFor(app.url);
  }
  try {
    const opts = { url: `${app.url}${FEATURE_PATH}`, headers: { cookie }, connections, timeout: 10 };
    await autocannon({ ...opts, duration: 2 }); // warm-up
    const loadStart = Date.now();
    const cpu0 = cpuMs(app.pid);
    const sys0 = sysMs(app.pid);
    const r = await autocannon({ ...opts, duration: seconds });
    const cpu = cpuMs(app.pid) - cpu0;
    const sys = sysMs(app.pid) - sys0;
    if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
    await app.stop();
    if (off) {
      console.log(
        `${store}, ${connections} connections: ${r.requests.total} requests, ${(r.requests.total / seconds).toFixed(0)} req/s, server CPU ${(cpu / r.requests.total).toFixed(3)} ms/req (/proc; of which kernel ${(sys / r.requests.total).toFixed(3)})`,
      );
      return;
    }
    const file = path.join(dir, `${name}.cpuprofile`);
    console.log(
      `${store}, ${connections} connections: ${r.requests.total} requests in ${seconds} s (${r.requests.average} req/s); profile ${file}`,
    );
    console.log(summariseProfile(file, 25, loadStart - spawned, r.requests.total));
  } finally {
    await stopAll();
    if (redis) {
      await redis.flushDb();
      await redis.close();
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  await stopAll();
  process.exit(1);
});
