// The production path as an operator follows it: build the production tree (tsconfig.build.json), copy what
// production needs (package.json, package-lock.json, build/, views/, public/, vendor/) to an empty folder,
// `npm ci --omit=dev` there, and start `node build/src/main.js` with a real configuration pointing at the mock
// Google (started by this test from the development tree). Then sign in over HTTP and stop it with SIGTERM.
//
// better-sqlite3's install script runs for real (prebuild-install, else node-gyp). This machine cannot reach
// GitHub, where prebuild-install downloads its binaries, so the addon would be compiled from source (about a
// minute and a half here). By default the test hands prebuild-install, through its documented local-prebuilds
// setting, the addon of the development install: the same better-sqlite3 version built for this very Node, as
// the download would be. PROD_INSTALL_FROM_SOURCE=1 compiles it instead, as on a host without any prebuild.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlOf, signInOverHttp } from '../support/stack.js';
import { startEntryPoint, type RunningEntryPoint } from '../support/entry-point.js';

// dist/test/ops → the repository root.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FROM_SOURCE = process.env['PROD_INSTALL_FROM_SOURCE'] === '1';
const DEV_ONLY = [
  'typescript',
  '@playwright/test',
  'playwright',
  '@axe-core/playwright',
  'autocannon',
  'express-openid-connect',
  '@biomejs/biome',
  '@types/node',
];
const ALICE = 'alice@example.com';

let tmp: string;
let app: RunningEntryPoint | undefined;
const timings: string[] = [];

function run(
  what: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): void {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs,
  });
  timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.equal(
    r.status,
    0,
    `${what} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`.slice(-6000),
  );
}

/** Every file under `dir`, relative to it, with forward slashes. */
function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** The install environment: the local prebuild (default), or the headers of this Node for a compile. */
function prepareNativeInstall(): NodeJS.ProcessEnv {
  // Under `npm test` the environment carries the outer npm's settings (npm_config_local_prefix names the
  // checkout!): the nested npm gets only where to fetch from and where its cache is.
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig']);
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k)),
  );
  if (FROM_SOURCE) {
    // Official Node builds ship their headers in <prefix>/include/node; name them so that node-gyp downloads
    // nothing (Debian's Node already points node-gyp at /usr/include/node).
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    if (fs.existsSync(path.join(prefix, 'include/node/node_version.h'))) env['npm_config_nodedir'] = prefix;
    return env;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
    version: string;
  };
  const addon = path.join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  assert.ok(fs.existsSync(addon), `the development install has no better-sqlite3 addon at ${addon}`);
  const prebuilds = path.join(tmp, 'prebuilds');
  fs.mkdirSync(prebuilds);
  // prebuild-install's file name: {name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz (glibc: no libc part).
  const tarball = path.join(
    prebuilds,
    `better-sqlite3-v${pkg.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`,
  );
  run(
    'pack the development addon as a local prebuild',
    'tar',
    ['-czf', tarball, '-C', path.join(ROOT, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node'],
    { cwd: ROOT, timeoutMs: 30_000 },
  );
  // prebuild-install reads .prebuild-installrc from the folders above the package it installs (rc's lookup).
  fs.writeFileSync(path.join(tmp, 'app', '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`);
  return env;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-prod-'));
  const dir = path.join(tmp, 'app');
  fs.mkdirSync(dir);
  // 1. The production build, straight into the install folder (the checkout's build/ is left alone).
  run(
    'production build (tsc -p tsconfig.build.json)',
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      path.join(dir, 'build'),
    ],
    { cwd: ROOT, timeoutMs: 180_000 },
  );
  // 2. What production needs, and nothing else.
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  for (const d of ['views', 'public', 'vendor']) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
  // 3. npm ci --omit=dev, from npm's cache where it can (the registry otherwise).
  const env = prepareNativeInstall();
  run(
    `npm ci --omit=dev (better-sqlite3 ${FROM_SOURCE ? 'compiled from source' : 'from the local prebuild'})`,
    'npm',
    ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: dir, env, timeoutMs: FROM_SOURCE ? 600_000 : 180_000 },
  );

  // 4. The mock Google (development tree) and the production app, configured as a real deployment.
  const t0 = Date.now();
  app = await startEntryPoint({
    script: 'build/src/main.js',
    cwd: dir,
    clientId: 'scopewise-prod',
    sessionStore: `sqlite:${path.join(tmp, 'data', 'sessions.db')}`,
    env: { NODE_ENV: 'production', HOST: '127.0.0.1', SHUTDOWN_DRAIN_SECONDS: '0' },
  });
  timings.push(`start to /healthz 200: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

after(async () => {
  await app?.stop('SIGKILL');
  await app?.mock.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`production install: ${timings.join('; ')}`);
});

it('the production tree holds the app and its operator commands only: no mock Google, no demo, no tests', () => {
  const dir = path.join(tmp, 'app');
  const files = listFiles(path.join(dir, 'build'));
  assert.ok(files.includes('src/main.js'));
  for (const cmd of ['lint-workflow', 'reencrypt-tokens', 'risc', 'scopes'])
    assert.ok(files.includes(`scripts/${cmd}.js`), `scripts/${cmd}.js is shipped`);
  const outside = files.filter(
    (f) => !f.startsWith('src/') && !/^scripts\/(lint-workflow|reencrypt-tokens|risc|scopes)\.js$/.test(f),
  );
  assert.deepEqual(outside, [], 'nothing but src/, the three operator commands and the Workflows lint');
  assert.deepEqual(
    files.filter((f) => /mock|demo|\.test\.|\.ts$|\.map$/i.test(f)),
    [],
    'no mock, demo, test, source or map file',
  );
  for (const f of files.filter((f) => f.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(dir, 'build', f), 'utf8');
    assert.ok(
      !/from '[^']*mock-google[^']*'|import\('[^']*(mock-google|demo)/.test(text),
      `${f} imports no mock or demo`,
    );
  }
  for (const d of ['mock-google', 'demo', 'test', 'e2e', 'bench', 'dist', 'src'])
    assert.ok(!fs.existsSync(path.join(dir, d)), `no ${d}/ beside build/`);
});

it('npm ci --omit=dev installed no development dependency: no compiler, no test tools, no linter', () => {
  const modules = path.join(tmp, 'app', 'node_modules');
  assert.ok(fs.existsSync(path.join(modules, 'express')), 'the runtime dependencies are there');
  for (const name of DEV_ONLY) assert.ok(!fs.existsSync(path.join(modules, name)), `${name} is not installed`);
  assert.ok(!fs.existsSync(path.join(modules, '.bin', 'tsc')), 'no tsc anywhere on the path npm gives scripts');
  assert.ok(
    fs.existsSync(path.join(modules, 'better-sqlite3/build/Release/better_sqlite3.node')),
    "better-sqlite3's addon is installed",
  );
});

it('the Workflows lint runs from the production tree without a compiler: its bin, and npm run lint-workflow', () => {
  const dir = path.join(tmp, 'app');
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const bin = pkg.bin['scopewise-lint-workflow'] ?? '';
  assert.ok(fs.existsSync(path.join(dir, bin)), `the bin ${bin} is in the production tree`);
  const workflow = path.join(tmp, 'workflow.yaml');
  fs.writeFileSync(
    workflow,
    '- logs:\n    call: http.post\n    args:\n      url: https://logging.googleapis.com/v2/entries:list\n      auth: {type: OAuth2}\n',
  );
  // Without the outer npm's settings (under `npm test`, npm_config_local_prefix names the checkout).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  for (const [cmd, args] of [
    [process.execPath, [bin, '--format', 'sarif', workflow]],
    ['npm', ['run', '--silent', 'lint-workflow', '--', '--format', 'sarif', workflow]],
  ] as const) {
    const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, `${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[] }[] };
    assert.deepEqual(
      log.runs[0]?.results.map((x) => x.ruleId),
      ['http-oauth2-default-scope'],
    );
  }
  assert.ok(!fs.existsSync(path.join(dir, 'node_modules', 'typescript')), 'and nothing was compiled');
});

it('starts without a compiler and signs a user in over HTTP against the (mock) identity provider', async () => {
  assert.match(app!.output(), /Scopewise is listening/);
  const browser = await signInOverHttp(app!.baseUrl, controlOf(app!.mock.url), ALICE);
  const home = await browser.follow(`${app!.baseUrl}/`);
  const html = await home.text();
  assert.equal(home.status, 200);
  assert.ok(html.includes(ALICE), 'the signed-in page names the user');
  assert.match(html, /Sign out/);
  assert.ok(!/demo/i.test(html), 'not the demo');
  const css = await fetch(`${app!.baseUrl}/public/app.css`);
  assert.equal(css.status, 200, 'public/ is found from the production tree');
  await css.arrayBuffer();
});

it('SIGTERM stops it cleanly', async () => {
  assert.equal(await app!.stop('SIGTERM'), 0, app!.output());
  assert.match(app!.output(), /shut down cleanly/);
});
