import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, defaultDiscoveryPath } from '../../src/scopes/index.js';
import { getTokens, S, useMock } from '../support/mock.js';
import { useTempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../scripts/scopes.js', import.meta.url));
const temp = useTempDir('scopewise-cli-');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scopes CLI (node dist/scripts/scopes.js)', () => {
  it('exits 0 and prints an aligned table with every feature, its methods, short scopes and broad-only flags', () => {
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('FEATURE'));
    assert.ok(header);
    const scopeCol = header.indexOf('SCOPE ASKED');
    for (const f of CATALOGUE) {
      const line = lines.find((l) => l.startsWith(`${f.id} `));
      assert.ok(line, `row for ${f.id}`);
      assert.ok(line.includes(f.methods[0] ?? '?'));
      assert.equal(line.includes('⚠ broad only'), f.broadOnly !== undefined, f.id);
      for (const m of f.methods) assert.ok(r.stdout.includes(m), m);
    }
    const vms = lines.find((l) => l.startsWith('vms '));
    assert.equal(vms?.slice(scopeCol).trim(), 'compute.readonly', 'scope column is aligned');
    const sa = lines.find((l) => l.startsWith('service-accounts '));
    assert.match(sa?.slice(scopeCol) ?? '', /^iam\s+ⓘ see note$/);
    assert.match(r.stdout, /0 unresolved disagreements between the sources/);
    assert.match(
      r.stdout,
      /iam:v1:projects\.serviceAccounts\.list\n {4}asked scope listed by: iam: REST ref\n {4}Discovery: cloud-platform\n {4}REST reference: iam cloud-platform \(read 2026-12-01\)/,
    );
  });
  it('--json prints the catalogue as JSON', () => {
    const r = run('--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      findings: unknown[];
      features: { id: string; shortScopes: string[] }[];
    };
    assert.equal(out.ok, true);
    assert.deepEqual(out.findings, []);
    assert.deepEqual(
      out.features.map((f) => f.id),
      CATALOGUE.map((f) => f.id),
    );
    assert.deepEqual(out.features.find((f) => f.id === 'vms')?.shortScopes, ['compute.readonly']);
  });
  it('exits 1 printing each finding when the catalogue no longer matches the Discovery data', () => {
    const json = JSON.parse(readFileSync(defaultDiscoveryPath(), 'utf8')) as {
      methods: Record<string, { scopes: string[] }>;
    };
    const m = json.methods['compute:v1:instances.aggregatedList'];
    assert.ok(m);
    m.scopes = m.scopes.filter((s) => !s.endsWith('/compute.readonly'));
    const p = temp.write('changed.json', JSON.stringify(json));
    const r = run('--discovery', p);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\[method-not-authorized\] Feature "vms" calls compute:v1:instances\.aggregatedList/);
    assert.match(r.stderr, /\[unneeded-scope\] Feature "vms" asks for compute\.readonly/);
  });
  it('exits 2 with a message naming a malformed Discovery file', () => {
    const p = temp.write('bad.json', '{"source": 1}');
    const r = run('--discovery', p);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.includes(`Invalid Google Discovery data in ${p}`), r.stderr);
  });
  it('exits 2 on an unknown option', () => {
    assert.equal(run('--nope').status, 2);
  });
});

describe('scopes CLI --live (against the mock, with a token holding compute.readonly)', () => {
  const mock = useMock({ reset: true });
  // Not spawnSync: the mock answering the CLI runs in this process.
  const runLive = (env: Record<string, string>, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, '--live', ...args],
        { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', ...env } },
        (err, stdout, stderr) =>
          resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
  it('probes the methods of the features the token serves, prints how Google answered, and exports the evidence', async () => {
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}` });
    const out = temp.path('verified.json');
    const r = await runLive(
      { SCOPEWISE_LIVE_TOKEN: tokens.access_token, GOOGLE_API_BASE_URL: mock.url },
      '--project',
      'acme-prod',
      '--export',
      out,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Scopes held by the token: compute\.readonly/);
    assert.match(r.stdout, /compute:v1:instances\.aggregatedList\s+✓ accepted\s+200/);
    assert.doesNotMatch(r.stdout, /instances\.stop/, 'a feature the token cannot serve is not probed');
    assert.ok(!r.stdout.includes(tokens.access_token), 'the token is never printed');
    const evidence = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ method: string; outcome: string }> };
    assert.ok(
      evidence.results.some((e) => e.method === 'compute:v1:instances.aggregatedList' && e.outcome === 'accepted'),
    );
  });
  it('refuses to run without a token in the environment or a valid project (exit 2)', async () => {
    assert.equal((await runLive({}, '--project', 'acme-prod')).status, 2);
    assert.equal((await runLive({ SCOPEWISE_LIVE_TOKEN: 'ya29.x' }, '--project', 'Not A Project')).status, 2);
  });
});
