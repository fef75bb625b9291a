// `node dist/scripts/lint-workflow.js`: what a CI job sees (stdout, exit status) for good and bad input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
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
      /line 4 {2}list_vms \[main\] {2}http\.get https:\/\/compute\.googleapis\.com\/compute\/v1\/projects\/p\/aggregated\/instances/,
    );
    assert.match(
      r.stdout,
      /OAuth2, scopes: compute\.readonly {3}method: compute:v1:instances\.aggregatedList {3}narrowest: compute\.readonly/,
    );
    assert.match(
      r.stdout,
      /line 11 {2}call_service \[main\] {2}http\.post https:\/\/api-abc-uc\.a\.run\.app\/run\n {6}OIDC, audience: https:\/\/api-abc-uc\.a\.run\.app\/run \(default: the URL\) {3}method: \(not a Google API\)/,
    );
    assert.match(r.stdout, /2 http calls, 0 findings, 0 notes/);
  });
  it('findings: exit 1, each with severity, code, line, Google’s recommendation and the guide', () => {
    const r = run([FINDINGS]);
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /MEDIUM http-oauth2-default-scope {2}line 6: Step stop gets cloud-platform \(no scopes\) for compute:v1:instances\.stop, which needs only compute\./,
    );
    assert.match(r.stdout, /Google recommends: List the narrowest scope/);
    assert.match(r.stdout, /https:\/\/cloud\.google\.com\/workflows\/docs\/authenticate-from-workflow/);
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
    assert.match(r.stdout, /http-missing-url {2}line 2: http\.get in step fetch has no args\./);
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
  it('control characters from a file (terminal escapes in a step name) never reach the log', () => {
    const r = run([
      file('esc.yaml', '- "evil\\e[31mstep":\n    call: http.get\n    args:\n      url: https://example.com/\n'),
    ]);
    assert.equal(r.status, 0);
    assert.ok(!r.stdout.includes('\u001b'));
    assert.match(r.stdout, /evil\ufffd\[31mstep/);
  });
  it('usage: no file or an unknown option exits 2 with the usage on stderr; --help exits 0', () => {
    const none = run([]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /No file given\.[\s\S]*Usage: npm run lint-workflow/);
    assert.equal(run(['--nope', CLEAN]).status, 2);
    const help = run(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Exit status: 0 no finding, 1 findings, 2 a file could not be read or parsed\./);
    assert.equal(run(['--', '--json']).status, 2, '"--" ends options: "--json" is then a (missing) file');
  });
  it('under npm, relative paths are read from the folder npm was started in (INIT_CWD)', () => {
    const viaNpm = run(['clean.yaml'], { npm_lifecycle_event: 'lint-workflow', INIT_CWD: temp.dir }, tmpdir());
    assert.equal(viaNpm.status, 0, viaNpm.stdout);
    const direct = run(['clean.yaml'], { INIT_CWD: '/nonexistent' }, temp.dir);
    assert.equal(direct.status, 0, 'run directly, INIT_CWD from some outer npm run is ignored');
  });
});
