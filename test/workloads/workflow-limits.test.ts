// The bounds on what a Workflows definition may cost to read (alias expansion, size, nesting, expanded steps),
// for the CLI and for the parser the workload review shares. Each hostile file is refused with an error naming
// the limit; the largest accepted files are timed against a generous bound (speed targets live in `npm run bench`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadDiscovery } from '../../src/scopes/index.js';
import {
  SOURCE_LIMITS,
  WorkflowSourceError,
  buildMethodIndex,
  lintWorkflowSource,
  parseWorkflowSource,
  type SourceLimitName,
} from '../../src/workloads/index.js';
import { useTempDir } from '../support/temp-dir.js';
import {
  SELF_ALIAS,
  aliasedBlocks,
  deepJsonArrays,
  deepJsonBody,
  jsonDepth,
  largestRealistic,
  manyAliases,
  mostCalls,
  nestedAliasBomb,
  widestJsonMap,
} from './hostile-sources.js';

const CLI = fileURLToPath(new URL('../../scripts/lint-workflow.js', import.meta.url));
const temp = useTempDir('scopewise-limits-');
const index = buildMethodIndex(loadDiscovery());

function cli(files: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...files], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env['PATH'] },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, ms: performance.now() - t0 };
}

/** `parseWorkflowSource` refuses `text` with WORKFLOW_SOURCE_LIMIT for `limit`, at a position, naming its value. */
function refusedFor(text: string, format: 'yaml' | 'json', limit: SourceLimitName): WorkflowSourceError {
  let caught: unknown;
  try {
    parseWorkflowSource(text, format);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof WorkflowSourceError, `expected a WorkflowSourceError, got ${String(caught)}`);
  assert.equal(caught.code, 'WORKFLOW_SOURCE_LIMIT', caught.message);
  assert.deepEqual(caught.limit, { name: limit, value: SOURCE_LIMITS[limit] });
  assert.ok((caught.line ?? 0) >= 1 && (caught.column ?? 0) >= 1, 'the error points at a line and column');
  assert.ok(caught.message.includes(SOURCE_LIMITS[limit].toLocaleString('en-US')), caught.message);
  return caught;
}

describe('the CLI on hostile files', () => {
  it('a 1 KB file of nested aliases is refused at once (exit 2, naming the limit), not expanded until killed', () => {
    const bomb = nestedAliasBomb();
    assert.ok(bomb.length < 1100, `the bomb is ${bomb.length} bytes`);
    const r = cli([temp.write('bomb.yaml', bomb)]);
    assert.equal(r.signal, null, `killed after ${Math.round(r.ms)} ms: the aliases were expanded`);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stdout, /ERROR WORKFLOW_SOURCE_LIMIT {2}.*bomb\.yaml:\d+:\d+: .*aliases.*100/);
  });
  it('deeply nested JSON is refused with the nesting limit (exit 2), and the other files are still reported', () => {
    const deep = temp.write('deep.json', deepJsonArrays(60_000));
    const good = temp.write('good.yaml', '- a:\n    call: http.get\n    args: {url: "https://example.com/"}\n');
    const r = cli([deep, good]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stdout, /ERROR WORKFLOW_SOURCE_LIMIT {2}.*deep\.json:1:101: .*deeper than 100 levels/);
    assert.match(r.stdout, /good\.yaml:2:5 {2}a \[main\] {2}http\.get https:\/\/example\.com\//);
    assert.match(r.stdout, /2 files: 0 findings, 0 notes, 1 unreadable/);
  });
  it('a file over 128 KiB (Workflows’ own limit for a source) is refused with its size', () => {
    const r = cli([temp.write('big.yaml', largestRealistic(SOURCE_LIMITS.maxBytes + 2000))]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(
      r.stdout,
      /ERROR WORKFLOW_SOURCE_LIMIT {2}.*big\.yaml:1:1: The definition is 13\d,\d{3} bytes; .*131,072/,
    );
  });
});

describe('parseWorkflowSource: each limit, just over and just at it', () => {
  it('alias expansion (the yaml package’s maxAliasCount): the nested-alias bomb', () => {
    const err = refusedFor(nestedAliasBomb(), 'yaml', 'maxAliasCount');
    assert.match(err.message, /alias bomb/);
  });
  it('the number of aliases: 101 refused, 100 read', () => {
    refusedFor(manyAliases(SOURCE_LIMITS.maxAliases + 1), 'yaml', 'maxAliases');
    assert.equal(parseWorkflowSource(manyAliases(SOURCE_LIMITS.maxAliases), 'yaml').workflows.length, 1);
  });
  it('an alias cycle (a step whose steps alias itself) is refused, not followed until the stack runs out', () => {
    refusedFor(SELF_ALIAS, 'yaml', 'maxDepth');
  });
  it('nesting depth, JSON and YAML: one level over is refused at the offending line and column, the limit read', () => {
    const over = deepJsonBody(SOURCE_LIMITS.maxDepth - 5);
    assert.equal(jsonDepth(over), SOURCE_LIMITS.maxDepth + 1);
    const err = refusedFor(over, 'json', 'maxDepth');
    assert.equal(err.line, 1);
    assert.equal(err.column, over.indexOf('['.repeat(SOURCE_LIMITS.maxDepth - 5)) + SOURCE_LIMITS.maxDepth - 5);
    const at = deepJsonBody(SOURCE_LIMITS.maxDepth - 6);
    assert.equal(jsonDepth(at), SOURCE_LIMITS.maxDepth);
    assert.equal(parseWorkflowSource(at, 'json').calls.length, 1);
    const yaml = `- a:\n    call: http.post\n    args:\n      body:\n${Array.from({ length: 120 }, (_, i) => `${'  '.repeat(i + 4)}k${i}:`).join('\n')} 1\n`;
    refusedFor(yaml, 'yaml', 'maxDepth');
  });
  it('deep flow nesting is refused before the parser spends time on it: YAML and JSON, at the bracket', () => {
    const yaml = `- a:\n    call: http.post\n    args:\n      body: ${'['.repeat(60_000)}${']'.repeat(60_000)}\n`;
    const t0 = performance.now();
    const err = refusedFor(yaml, 'yaml', 'maxDepth');
    const json = refusedFor(deepJsonArrays(60_000), 'json', 'maxDepth');
    const ms = performance.now() - t0;
    assert.deepEqual([err.line, err.column], [4, 12 + SOURCE_LIMITS.maxDepth + 1], 'at the 101st bracket');
    assert.deepEqual([json.line, json.column], [1, SOURCE_LIMITS.maxDepth + 1]);
    assert.ok(ms < 1_000, `${ms.toFixed(0)} ms for two refusals`);
    // Block and flow nesting count together: under four block levels, the 97th bracket is the 101st level.
    const mixed = `- a:\n    call: http.post\n    args:\n      body: ${'['.repeat(97)}${']'.repeat(97)}\n`;
    const at = refusedFor(mixed, 'yaml', 'maxDepth');
    assert.deepEqual([at.line, at.column], [4, 12 + 97]);
    assert.equal(
      parseWorkflowSource(mixed.replace('['.repeat(97), '['.repeat(96)).replace(']'.repeat(97), ']'.repeat(96)), 'yaml')
        .calls.length,
      1,
    );
  });
  it('brackets inside strings and block scalars are text, not nesting', () => {
    const many = '['.repeat(300);
    const yaml = `- a:\n    call: http.post\n    args:\n      url: "https://example.com/${many}"\n      body: |\n        ${many}\n      other: '${many}'\n`;
    assert.equal(parseWorkflowSource(yaml, 'yaml').calls.length, 1);
    const json = JSON.stringify({
      main: { steps: [{ a: { call: 'http.get', args: { url: `https://x/${many}"{` } } }] },
    });
    assert.equal(parseWorkflowSource(json, 'json').calls.length, 1);
  });
  it('size: one byte over 128 KiB refused (counted in UTF-8 bytes), 128 KiB read', () => {
    const at = largestRealistic(SOURCE_LIMITS.maxBytes);
    const padded = `${at}${'#'.repeat(SOURCE_LIMITS.maxBytes - Buffer.byteLength(at))}`;
    assert.equal(Buffer.byteLength(padded), SOURCE_LIMITS.maxBytes);
    assert.ok(parseWorkflowSource(padded, 'yaml').calls.length > 700);
    refusedFor(`${padded}#`, 'yaml', 'maxBytes');
    // 131,072 characters, but é is two bytes in UTF-8.
    refusedFor(`${padded.slice(0, -1)}é`, 'yaml', 'maxBytes');
  });
  it('steps after aliases are expanded: 10,100 refused, 10,000 read', () => {
    // maxAliasCount counts the anchor itself: 99 aliases of a block without aliases inside is its most.
    refusedFor(aliasedBlocks(100, 99), 'yaml', 'maxSteps');
    assert.equal(parseWorkflowSource(aliasedBlocks(99, 99), 'yaml').calls.length, 99 * 100);
    refusedFor(aliasedBlocks(1, 100), 'yaml', 'maxAliasCount');
  });
  it('duplicate keys are still refused (checked in linear time, not by the parser’s pairwise scan)', () => {
    assert.throws(
      () => parseWorkflowSource('{"main": {"steps": [], "steps": []}}', 'json'),
      (err: unknown) =>
        err instanceof WorkflowSourceError && err.code === 'WORKFLOW_SOURCE_SYNTAX' && err.column === 24,
    );
    assert.throws(
      () => parseWorkflowSource('- a:\n    call: http.get\n    args: {url: x, url: y}\n', 'yaml'),
      (err: unknown) => err instanceof WorkflowSourceError && /keys must be unique/.test(err.message) && err.line === 3,
    );
  });
});

describe('the largest inputs still accepted: each read well within a generous bound', () => {
  // A few hundred milliseconds each on a quiet machine; 5 s leaves room for a shared, loaded one, and is still
  // far below the 16 s and the endless expansion the review measured before the limits.
  const BOUND_MS = 5_000;
  const cases: [string, string, 'yaml' | 'json'][] = [
    ['128 KiB of realistic Compute calls (YAML)', largestRealistic(SOURCE_LIMITS.maxBytes), 'yaml'],
    ['128 KiB of the smallest http.get steps', mostCalls(SOURCE_LIMITS.maxBytes), 'yaml'],
    ['a JSON body with as many keys as fit in 128 KiB', widestJsonMap(SOURCE_LIMITS.maxBytes), 'json'],
    ['99 aliases of a 99-call block (9,900 calls)', aliasedBlocks(99, 99), 'yaml'],
    ['JSON nested 100 deep', deepJsonBody(SOURCE_LIMITS.maxDepth - 6), 'json'],
  ];
  for (const [name, text, format] of cases) {
    it(name, (t) => {
      lintWorkflowSource(text, format, index); // warm-up: the first run pays for compiling the parser
      // The fastest of three: what the input costs, less what other processes on a shared machine cost it.
      let ms = Number.POSITIVE_INFINITY;
      let calls = 0;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        calls = lintWorkflowSource(text, format, index).calls.length;
        ms = Math.min(ms, performance.now() - t0);
      }
      t.diagnostic(`${name}: ${Buffer.byteLength(text)} bytes, ${calls} calls, ${ms.toFixed(0)} ms`);
      assert.ok(calls >= 1);
      assert.ok(ms < BOUND_MS, `${ms.toFixed(0)} ms`);
    });
  }
  it('the former bomb is refused quickly', (t) => {
    const t0 = performance.now();
    assert.throws(() => lintWorkflowSource(nestedAliasBomb(), 'yaml', index), WorkflowSourceError);
    const t1 = performance.now();
    assert.throws(() => lintWorkflowSource(manyAliases(4_000), 'yaml', index), WorkflowSourceError);
    const t2 = performance.now();
    t.diagnostic(
      `nested-alias bomb refused in ${(t1 - t0).toFixed(1)} ms; 4,000 aliases in ${(t2 - t1).toFixed(1)} ms`,
    );
    assert.ok(t2 - t0 < BOUND_MS);
  });
});
