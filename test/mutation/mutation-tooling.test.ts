// The mutation run's pure parts: named declarations to line ranges (so a module can be part of a file), and
// Stryker's results to per-module figures and the table the README shows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MUTATION_MODULES } from '../../scripts/mutation/modules.js';
import { RegionError, findRegion } from '../../scripts/mutation/regions.js';
import { figuresOf, figuresTable, type MutantOutcome } from '../../scripts/mutation/report.js';

const SOURCE = [
  "import x from 'y';", // 1
  'const ONE = 1;', // 2
  'const SCRIPT = `', // 3
  "redis.call('DEL', KEYS[1])", // 4
  '`;', // 5
  'export async function load(', // 6
  '  a: string,', // 7
  '): Promise<void> {', // 8
  '  if (a) {', // 9
  '    return;', // 10
  '  }', // 11
  '}', // 12
  'class Store extends Base {', // 13
  '  private readonly n = 1;', // 14
  '  constructor() {', // 15
  '    super();', // 16
  '  }', // 17
  '  override async set(sid: string): Promise<void> {', // 18
  '    await this.x(sid);', // 19
  '  }', // 20
  '  get size(): number { return 1; }', // 21
  '}', // 22
].join('\n');

describe('findRegion', () => {
  it('functions (multi-line signature), constants (one line or a template), classes and members', () => {
    assert.deepEqual(findRegion(SOURCE, 'function load'), { start: 6, end: 12 });
    assert.deepEqual(findRegion(SOURCE, 'const ONE'), { start: 2, end: 2 });
    assert.deepEqual(findRegion(SOURCE, 'const SCRIPT'), { start: 3, end: 5 });
    assert.deepEqual(findRegion(SOURCE, 'class Store'), { start: 13, end: 22 });
    assert.deepEqual(findRegion(SOURCE, 'Store.constructor'), { start: 15, end: 17 });
    assert.deepEqual(findRegion(SOURCE, 'Store.set'), { start: 18, end: 20 });
    assert.deepEqual(findRegion(SOURCE, 'Store.size'), { start: 21, end: 21 });
  });

  it('a missing, ambiguous or malformed selector is an error naming it', () => {
    for (const [selector, why] of [
      ['function nothing', 'function nothing: not found'],
      ['Store.nothing', 'Store.nothing: no member nothing in class Store'],
      ['Other.set', 'class Other: not found'],
      ['load', 'load: expected "function f", "class C", "const X" or "C.method"'],
    ] as const)
      assert.throws(
        () => findRegion(SOURCE, selector),
        (e: unknown) => e instanceof RegionError && e.message === why,
      );
    assert.throws(
      () => findRegion(`${SOURCE}\nconst ONE = 2;`, 'const ONE'),
      (e: unknown) => e instanceof RegionError && e.message === 'const ONE: declared more than once',
    );
  });

  it("every module's regions are found in today's sources", () => {
    for (const m of MUTATION_MODULES)
      for (const entry of m.mutate) {
        if (typeof entry === 'string') continue;
        const source = readFileSync(entry.file, 'utf8');
        for (const selector of entry.regions) {
          const { start, end } = findRegion(source, selector);
          assert.ok(start <= end, `${m.name}: ${entry.file} ${selector}`);
        }
      }
  });
});

describe('figures', () => {
  const m = (status: MutantOutcome['status'], line = 1): MutantOutcome => ({
    status,
    fileName: '/repo/src/a.ts',
    mutatorName: 'ConditionalExpression',
    replacement: 'true',
    location: { start: { line, column: 3 } },
  });
  const at = new Date('2026-12-08T00:00:00Z');

  it("Stryker's score: detected (killed, timeout) over killed, timeout, survived and no coverage", () => {
    const f = figuresOf(
      'http',
      [m('Killed'), m('Killed'), m('Timeout'), m('Survived', 9), m('NoCoverage', 4), m('CompileError'), m('Ignored')],
      61.4,
      at,
      '/repo',
    );
    assert.deepEqual(
      { ...f, survivors: undefined },
      {
        module: 'http',
        killed: 2,
        timeout: 1,
        survived: 1,
        noCoverage: 1,
        errors: 1,
        ignored: 1,
        valid: 5,
        score: 60,
        seconds: 61,
        at: '2026-12-08T00:00:00.000Z',
        survivors: undefined,
      },
    );
    assert.deepEqual(f.survivors, [
      'src/a.ts:4:3 ConditionalExpression (no coverage): true',
      'src/a.ts:9:3 ConditionalExpression: true',
    ]);
    assert.equal(figuresOf('x', [], 1, at).score, null);
  });

  it('the table marks baselines and modules below the target', () => {
    const rows = [
      figuresOf('http', [m('Killed'), m('Killed'), m('Killed'), m('Survived')], 30, at),
      figuresOf('events', [m('Killed'), m('Survived')], 3725, at),
      figuresOf('config', [m('Killed'), m('Survived')], 59, at),
    ];
    assert.equal(
      figuresTable(rows, new Set(['events']), 85),
      [
        '| module | killed | timeout | survived | no coverage | score | run time | |',
        '|---|---:|---:|---:|---:|---:|---:|---|',
        '| http | 3/4 | 0 | 1 | 0 | 75.00 % | 30 s | below target |',
        '| events | 1/2 | 0 | 1 | 0 | 50.00 % | 62 min 05 s | phase-1 baseline |',
        '| config | 1/2 | 0 | 1 | 0 | 50.00 % | 59 s | below target |',
      ].join('\n'),
    );
    assert.match(figuresTable([figuresOf('ok', [m('Killed')], 1, at)], new Set(), 85), /\| 100\.00 % \| 1 s \| ok \|$/);
  });
});
