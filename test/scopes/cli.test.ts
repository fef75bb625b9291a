import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, defaultDiscoveryPath } from '../../src/scopes/index.js';

const CLI = fileURLToPath(new URL('../../src/scopes/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scopewise-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scopes CLI (node dist/src/scopes/cli.js)', () => {
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
    assert.match(r.stdout, /iam:v1:projects\.serviceAccounts\.list\n    asked scope listed by: iam: REST ref\n    Discovery: cloud-platform\n    REST reference: iam cloud-platform \(read 2026-12-01\)/);
  });
  it('--json prints the catalogue as JSON', () => {
    const r = run('--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; findings: unknown[]; features: { id: string; shortScopes: string[] }[] };
    assert.equal(out.ok, true);
    assert.deepEqual(out.findings, []);
    assert.deepEqual(out.features.map((f) => f.id), CATALOGUE.map((f) => f.id));
    assert.deepEqual(out.features.find((f) => f.id === 'vms')?.shortScopes, ['compute.readonly']);
  });
  it('exits 1 printing each finding when the catalogue no longer matches the Discovery data', () => {
    const json = JSON.parse(readFileSync(defaultDiscoveryPath(), 'utf8')) as { methods: Record<string, { scopes: string[] }> };
    const m = json.methods['compute:v1:instances.aggregatedList'];
    assert.ok(m);
    m.scopes = m.scopes.filter((s) => !s.endsWith('/compute.readonly'));
    const p = join(dir, 'changed.json');
    writeFileSync(p, JSON.stringify(json));
    const r = run('--discovery', p);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\[method-not-authorized\] Feature "vms" calls compute:v1:instances\.aggregatedList/);
    assert.match(r.stderr, /\[unneeded-scope\] Feature "vms" asks for compute\.readonly/);
  });
  it('exits 2 with a message naming a malformed Discovery file', () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, '{"source": 1}');
    const r = run('--discovery', p);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.includes(`Invalid Google Discovery data in ${p}`), r.stderr);
  });
  it('exits 2 on an unknown option', () => {
    assert.equal(run('--nope').status, 2);
  });
});
