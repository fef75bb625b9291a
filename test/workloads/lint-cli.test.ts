// `node dist/scripts/lint-workflow.js`: what a CI job sees (stdout, exit status) for good and bad input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../scripts/lint-workflow.js', import.meta.url));
const temp = useTempDir('scopewise-lint-');
const file = temp.write;
function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env['PATH'], ...env },
    ...(cwd ? { cwd } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CLEAN = file(
  'clean.yaml',
  `main:
  steps:
    - list_vms:
        call: http.get
        args:
          url: https://compute.googleapis.com/compute/v1/projects/p/aggregated/instances
          auth:
            type: OAuth2
            scopes: https://www.googleapis.com/auth/compute.readonly
    - call_service:
        call: http.post
        args:
          url: https://api-abc-uc.a.run.app/run
          auth:
            type: OIDC
`,
);
const NOTES = file(
  'notes.yaml',
  '- fetch:\n    call: http.post\n    args:\n      url: https://pubsub.googleapis.com/v1/projects/p/topics/t:publish\n      auth: {type: OAuth2}\n',
);
const FINDINGS = file(
  'findings.json',
  JSON.stringify(
    {
      main: {
        steps: [
          {
            stop: {
              call: 'http.post',
              args: {
                url: 'https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/vm/stop',
                auth: { type: 'OAuth2' },
              },
            },
          },
        ],
      },
    },
    null,
    2,
  ),
);

describe('lint-workflow CLI', () => {
  it('a clean file: exit 0, each call printed with step, line, auth, scopes or audience, method and narrowest scope', () => {
    const r = run([CLEAN]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /clean\.yaml:4:9 {2}list_vms \[main\] {2}http\.get https:\/\/compute\.googleapis\.com\/compute\/v1\/projects\/p\/aggregated\/instances/,
    );
    assert.match(
      r.stdout,
      /OAuth2, scopes: compute\.readonly {3}method: compute:v1:instances\.aggregatedList {3}narrowest: compute\.readonly/,
    );
    assert.match(
      r.stdout,
      /clean\.yaml:11:9 {2}call_service \[main\] {2}http\.post https:\/\/api-abc-uc\.a\.run\.app\/run\n {6}OIDC, audience: https:\/\/api-abc-uc\.a\.run\.app\/run \(default: the URL\) {3}target: Cloud Run service\n/,
    );
    assert.match(r.stdout, /2 http calls, 0 findings, 0 notes/);
  });
  it('findings: exit 1, each at file:line:column with severity, code, Google’s recommendation, the fix and the guide', () => {
    const r = run([FINDINGS]);
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /\n {2}\S*findings\.json:6:\d+: MEDIUM http-oauth2-default-scope: Step stop gets cloud-platform \(no scopes\) for compute:v1:instances\.stop, which needs only compute\.\n/,
    );
    assert.match(r.stdout, /Google recommends: List the narrowest scope/);
    assert.match(
      r.stdout,
      / {6}Fix: set args\.auth to\n {8}auth:\n {10}type: OAuth2\n {10}scopes:\n {12}- https:\/\/www\.googleapis\.com\/auth\/compute\n/,
    );
    assert.match(r.stdout, /https:\/\/cloud\.google\.com\/workflows\/docs\/authenticate-from-workflow/);
  });
  it('every finding and note line starts with file:line:column (JSON sources too)', () => {
    const r = run([CLEAN, FINDINGS, NOTES]);
    const lines = r.stdout.split('\n').filter((l) => / (MEDIUM|HIGH|LOW|note) http-/.test(l));
    assert.equal(lines.length, 2, r.stdout);
    for (const line of lines)
      assert.match(line, /^ {2}\S+\.(yaml|json):\d+:\d+: (MEDIUM|HIGH|LOW|note) [a-z0-9-]+: /, line);
  });
  it('--json: one document with calls, findings, notes and the exit code', () => {
    const r = run(['--json', CLEAN, FINDINGS]);
    assert.equal(r.status, 1);
    const doc = JSON.parse(r.stdout) as {
      files: {
        file: string;
        status: string;
        calls: { narrowestScope?: string }[];
        findings: { code: string; location: { line: number } }[];
      }[];
      summary: Record<string, number>;
    };
    assert.deepEqual(doc.summary, { files: 2, findings: 1, notes: 0, unreadable: 0, exitCode: 1 });
    assert.equal(doc.files[0]?.calls[0]?.narrowestScope, 'https://www.googleapis.com/auth/compute.readonly');
    assert.deepEqual(
      doc.files[1]?.findings.map((f) => [f.code, f.location.line]),
      [['http-oauth2-default-scope', 6]],
    );
  });
  it('an http.get with no args is a finding (exit 1), not a crash', () => {
    const r = run([file('noargs.yaml', '- fetch:\n    call: http.get\n')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /noargs\.yaml:2:5: MEDIUM http-missing-url: http\.get in step fetch has no args\./);
  });
  it('unreadable input exits 2 and names file, line and column: missing file, invalid YAML, JSON trailing comma, a workflow that is a list', () => {
    const missing = run([temp.path('nope.yaml')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stdout, /ERROR FILE_UNREADABLE .*nope\.yaml: Cannot read the file \(ENOENT\)\./);
    const yaml = run([file('bad.yaml', 'main:\n  steps:\n    - a: [1, 2\n    - b: 3\n')]);
    assert.equal(yaml.status, 2);
    assert.match(yaml.stdout, /ERROR WORKFLOW_SOURCE_SYNTAX .*bad\.yaml:4:\d+: Invalid YAML: /);
    const json = run([file('comma.json', '{\n  "main": {\n    "steps": [],\n  }\n}\n')]);
    assert.equal(json.status, 2);
    assert.match(json.stdout, /ERROR WORKFLOW_SOURCE_SYNTAX .*comma\.json:4:3: Invalid JSON: /);
    const list = run([file('list.yaml', 'main:\n  - a:\n      call: http.get\n')]);
    assert.equal(list.status, 2);
    assert.match(
      list.stdout,
      /ERROR WORKFLOW_SOURCE_STRUCTURE .*list\.yaml:2:3: Workflow "main" must be a map with steps/,
    );
  });
  it('an unreadable file wins over findings in another (exit 2), and the others are still reported', () => {
    const r = run([FINDINGS, temp.path('nope.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /http-oauth2-default-scope/);
    assert.match(r.stdout, /2 files: 1 finding, 0 notes, 1 unreadable/);
  });
  it('control characters from a file (terminal escapes in a step name) never reach the log: shown as escapes', () => {
    const r = run([
      file('esc.yaml', '- "evil\\e[31mstep":\n    call: http.get\n    args:\n      url: https://example.com/\n'),
    ]);
    assert.equal(r.status, 0);
    assert.ok(!r.stdout.includes('\u001b'));
    assert.ok(r.stdout.includes('evil\\x1b[31mstep'), r.stdout);
  });
  it('usage: no file or an unknown option exits 2 with the usage on stderr; --help exits 0', () => {
    const none = run([]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /No file given\.[\s\S]*Usage: scopewise-lint-workflow[\s\S]*npm run lint-workflow/);
    assert.equal(run(['--nope', CLEAN]).status, 2);
    const help = run(['--help']);
    assert.equal(help.status, 0);
    assert.match(
      help.stdout,
      /Exit status: 0 no finding, 1 findings, 2 a file could not be read or parsed, or is beyond a limit\./,
    );
    assert.match(help.stdout, /--format sarif/);
    for (const bad of [
      ['--format'],
      ['--format', 'xml', CLEAN],
      ['--format=csv', CLEAN],
      ['--json', '--format', 'sarif', CLEAN],
      ['-o'],
    ])
      assert.equal(run(bad).status, 2, bad.join(' '));
    assert.equal(run(['--', '--json']).status, 2, '"--" ends options: "--json" is then a (missing) file');
  });
  it('under npm, relative paths are read from the folder npm was started in (INIT_CWD)', () => {
    const viaNpm = run(['clean.yaml'], { npm_lifecycle_event: 'lint-workflow', INIT_CWD: temp.dir }, tmpdir());
    assert.equal(viaNpm.status, 0, viaNpm.stdout);
    const direct = run(['clean.yaml'], { INIT_CWD: '/nonexistent' }, temp.dir);
    assert.equal(direct.status, 0, 'run directly, INIT_CWD from some outer npm run is ignored');
  });
});

describe('lint-workflow CLI: formats for CI', () => {
  it('--format json (and --json): fingerprints and fixes on findings, the tool and its version', () => {
    const r = run(['--format', 'json', FINDINGS]);
    assert.equal(r.status, 1);
    assert.equal(run(['--json', FINDINGS]).stdout, r.stdout);
    const doc = JSON.parse(r.stdout) as {
      tool: { name: string; version: string };
      files: { findings: { code: string; fingerprint: string; fix: { path: string; yaml: string } }[] }[];
    };
    assert.equal(doc.tool.name, 'scopewise-lint-workflow');
    assert.match(doc.tool.version, /^\d+\.\d+\.\d+/);
    const f = doc.files[0]?.findings[0];
    assert.match(f?.fingerprint ?? '', /^[0-9a-f]{32}:1$/);
    assert.deepEqual(f?.fix, {
      path: 'args.auth',
      yaml: 'auth:\n  type: OAuth2\n  scopes:\n    - https://www.googleapis.com/auth/compute',
    });
  });
  it('--format sarif --output FILE: SARIF 2.1.0 written to the file, nothing on stdout, the exit code kept', () => {
    const out = temp.path('out.sarif');
    const r = run(['--format=sarif', '--output', out, FINDINGS, CLEAN]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    const log = JSON.parse(readFileSync(out, 'utf8')) as {
      version: string;
      runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(
      log.runs[0]?.results.map((x) => [x.ruleId, x.locations[0]?.physicalLocation.region.startLine]),
      [['http-oauth2-default-scope', 6]],
    );
  });
  it('--format github: one annotation per finding and note, at file, line and column, then the summary', () => {
    const r = run(['--format', 'github', FINDINGS, NOTES, temp.path('nope.yaml')]);
    assert.equal(r.status, 2);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^::warning file=[^,]*findings\.json,line=6,col=11,title=http-oauth2-default-scope \(medium\)%3A OAuth2 token without scopes::Step stop gets cloud-platform .*%0A%0AGoogle recommends: .*%0A%0AFix: set args\.auth to%0Aauth:%0A {2}type: OAuth2%0A/,
    );
    assert.match(
      lines[1] ?? '',
      /^::notice file=[^,]*notes\.yaml,line=2,col=5,title=http-method-unknown::Step fetch: /,
    );
    assert.match(
      lines[2] ?? '',
      /^::error file=[^,]*nope\.yaml,title=FILE_UNREADABLE::Cannot read the file \(ENOENT\)\.$/,
    );
    assert.equal(lines[3], '3 files: 1 finding, 1 note, 1 unreadable');
    assert.equal(lines.length, 4);
  });
  it('absolute paths inside GITHUB_WORKSPACE are reported relative to it (annotations and code scanning need repository paths)', () => {
    const r = run(['--format', 'github', FINDINGS], { GITHUB_WORKSPACE: temp.dir });
    assert.match(r.stdout, /^::warning file=findings\.json,line=6,/);
    const outside = run(['--format', 'github', FINDINGS], { GITHUB_WORKSPACE: '/nonexistent/ws' });
    assert.ok(outside.stdout.startsWith(`::warning file=${FINDINGS.replace(/:/g, '%3A')},`));
  });
});

describe('lint-workflow CLI: a file cannot write into the CI log (forged lines)', () => {
  // A step name with every way to start a new line or hide text, runner commands inside, in a file whose name
  // is itself a command.
  const HOSTILE_STEP =
    'a\\n::add-mask::x\\r::error::forged\\u2028::warning::y\\u0085::notice::z\\u202e\\u2066\\u200b ##[error]old ##vso[task.setvariable variable=a]1';
  const HOSTILE_NAME = '::error title=forged::name.yaml';
  file(
    HOSTILE_NAME,
    `- "${HOSTILE_STEP}":\n    call: http.post\n    args:\n      url: "https://hooks.example.com/\\n::add-mask::u"\n      auth: {type: OAuth2}\n`,
  );
  const FORMAT_CHARS = /[\p{Cf}\u2028\u2029\u0085\r]/u;
  for (const format of ['text', 'json', 'sarif', 'github'] as const) {
    it(`--format ${format}: no line a runner would run, no \`##[\`, no bidi or line-break character`, () => {
      const r = run(['--format', format, HOSTILE_NAME], {}, temp.dir);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.ok(!FORMAT_CHARS.test(r.stdout), 'format or line-break characters in the output');
      assert.ok(!/##(vso)?\[/i.test(r.stdout), 'a legacy in-line command survived');
      const lines = r.stdout.split('\n');
      const commands = lines.filter((l) => l.trimStart().startsWith('::'));
      if (format === 'github') {
        assert.equal(commands.length, 1, 'one annotation, ours');
        assert.match(
          commands[0] ?? '',
          /^::error file=[^,:]+,line=2,col=5,title=http-oauth2-to-other-host \(high\)%3A [^:]+::/,
        );
      } else {
        assert.deepEqual(commands, []);
      }
      if (format === 'json' || format === 'sarif') {
        const parsed = JSON.stringify(JSON.parse(r.stdout));
        assert.ok(parsed.includes('a\\\\n::add-mask::x'), 'the line break is kept as the two characters \\n');
      }
    });
  }
});

describe('lint-workflow as an installed command', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    bin?: Record<string, string>;
    scripts: Record<string, string>;
  };
  it('package.json names a bin built into the production tree, and npm run lint-workflow runs it without compiling', () => {
    assert.deepEqual(pkg.bin, { 'scopewise-lint-workflow': 'build/scripts/lint-workflow.js' });
    assert.equal(pkg.scripts['lint-workflow'], 'node build/scripts/lint-workflow.js');
    // In a clone: scripts/build-if-stale.mjs; in the production tree (no scripts/): nothing to build.
    assert.match(
      pkg.scripts['prelint-workflow'] ?? '',
      /existsSync\('scripts\/build-if-stale\.mjs'\)\) await import\('\.\/scripts\/build-if-stale\.mjs'\)/,
    );
    const build = readFileSync(`${root}tsconfig.build.json`, 'utf8');
    assert.match(build, /"scripts\/lint-workflow\.ts"/);
  });
  it('the script starts with a node shebang (npm links it as an executable)', () => {
    assert.match(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});

describe('npm run lint-workflow builds the production tree only when it is missing or stale', () => {
  const SCRIPT = fileURLToPath(new URL('../../../scripts/build-if-stale.mjs', import.meta.url));
  /** A project folder with `files` (path → age in seconds), and a fake npm recording that it was asked to build. */
  function project(files: Record<string, number>): { dir: string; built: () => string | undefined } {
    const dir = mkdtempSync(join(temp.dir, 'project-'));
    for (const [name, ageS] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), '');
      const t = Date.now() / 1000 - ageS;
      utimesSync(join(dir, name), t, t);
    }
    const fakeNpm = join(dir, 'fake-npm.cjs');
    writeFileSync(
      fakeNpm,
      `require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'asked'))}, process.argv.slice(2).join(' '));`,
    );
    const r = spawnSync(process.execPath, [SCRIPT], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], npm_execpath: fakeNpm },
    });
    assert.equal(r.status, 0, r.stderr);
    return {
      dir,
      built: () => (existsSync(join(dir, 'asked')) ? readFileSync(join(dir, 'asked'), 'utf8') : undefined),
    };
  }
  it('missing: builds (npm run build)', () => {
    assert.equal(project({ 'src/a.ts': 60 }).built(), 'run build --silent');
  });
  it('older than a source: builds', () => {
    assert.equal(project({ 'build/scripts/lint-workflow.js': 60, 'src/deep/a.ts': 10 }).built(), 'run build --silent');
    assert.equal(
      project({ 'build/scripts/lint-workflow.js': 60, 'tsconfig.build.json': 10 }).built(),
      'run build --silent',
    );
  });
  it('newer than every source, or a production tree without sources: runs as built', () => {
    assert.equal(project({ 'build/scripts/lint-workflow.js': 10, 'src/a.ts': 60 }).built(), undefined);
    assert.equal(project({ 'build/scripts/lint-workflow.js': 10 }).built(), undefined);
  });
});
