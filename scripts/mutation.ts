/**
 * `npm run mutation [-- module…]`: mutation testing with StrykerJS over the security-critical modules listed in
 * scripts/mutation/modules.ts (all of them, or those named), one Stryker run per module. Outside the timed CI run.
 *
 * Each run copies the project to a sandbox, instruments the module's TypeScript with mutant schemata (every
 * mutant compiled in at once, switched on by id), builds the sandbox with tsgo (`--noCheck`: a schema is not
 * type-correct, and TypeScript 7 has no compiler API for Stryker's checker), then runs the module's compiled test
 * files with the TAP runner, each file a node:test process of its own. Coverage is taken per test file, so a
 * mutant runs only the files that executed it.
 *
 * Writes reports/mutation/<module>/index.html and mutation.json, and reports/mutation/summary.json (one row per
 * module, kept across runs of single modules). Prints the figures; exits 1 when a module scores below the target.
 *
 * Environment: MUTATION_CONCURRENCY (test processes at once, default 1: the machine is shared), MUTATION_INCREMENTAL=1
 * (reuse the previous run's results for unchanged code and tests, reports/mutation/<module>/incremental.json).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { PartialStrykerOptions } from '@stryker-mutator/api/core';
import { Stryker } from '@stryker-mutator/core';
import { MUTATION_MODULES, TARGET_SCORE, type MutationModule } from './mutation/modules.js';
import { findRegion } from './mutation/regions.js';
import { figuresOf, figuresTable, type ModuleFigures, type MutantOutcome } from './mutation/report.js';

const REPORTS = 'reports/mutation';
const SUMMARY = `${REPORTS}/summary.json`;

const USAGE = `usage: npm run mutation [-- <module>...]   (modules: ${MUTATION_MODULES.map((m) => m.name).join(', ')})
env:   MUTATION_CONCURRENCY=n   test processes at once (default 1)
       MUTATION_INCREMENTAL=1   reuse the previous results of unchanged code and tests`;

/** Stryker's `mutate` entries: globs as given, named regions as `file:start-end`. */
async function mutateEntries(module: MutationModule): Promise<string[]> {
  const out: string[] = [];
  for (const entry of module.mutate) {
    if (typeof entry === 'string') {
      out.push(entry);
      continue;
    }
    const source = await readFile(entry.file, 'utf8');
    for (const selector of entry.regions) {
      const { start, end } = findRegion(source, selector);
      out.push(`${entry.file}:${start}-${end}`);
    }
  }
  return out;
}

function concurrency(): number {
  const raw = process.env['MUTATION_CONCURRENCY'];
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > availableParallelism() * 2)
    throw new Error(
      `MUTATION_CONCURRENCY="${raw}" is not valid: expected a whole number from 1 to ${availableParallelism() * 2}`,
    );
  return n;
}

async function runModule(module: MutationModule, workers: number): Promise<ModuleFigures> {
  const dir = `${REPORTS}/${module.name}`;
  const incremental = process.env['MUTATION_INCREMENTAL'] === '1';
  const options: PartialStrykerOptions = {
    configFile: 'stryker.config.json',
    mutate: await mutateEntries(module),
    tap: {
      testFiles: [...module.tests],
      // node:test prints TAP with this reporter on every Node major (22 and later default to "spec").
      nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
      forceBail: true,
    },
    concurrency: workers,
    htmlReporter: { fileName: `${dir}/index.html` },
    jsonReporter: { fileName: `${dir}/mutation.json` },
    incremental,
    incrementalFile: `${dir}/incremental.json`,
  };
  console.log(`\n== mutation: ${module.name} (${module.title})`);
  const started = performance.now();
  const results = await new Stryker(options).runMutationTest();
  const seconds = (performance.now() - started) / 1000;
  return figuresOf(module.name, results as MutantOutcome[], seconds, new Date(), process.cwd());
}

async function readSummary(): Promise<ModuleFigures[]> {
  try {
    return JSON.parse(await readFile(SUMMARY, 'utf8')) as ModuleFigures[];
  } catch {
    return [];
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => !MUTATION_MODULES.some((m) => m.name === a));
  if (unknown.length > 0) {
    console.error(`mutation: unknown module ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const selected = argv.length === 0 ? MUTATION_MODULES : MUTATION_MODULES.filter((m) => argv.includes(m.name));
  const workers = concurrency();
  await mkdir(REPORTS, { recursive: true });
  const ran: ModuleFigures[] = [];
  for (const module of selected) {
    const figures = await runModule(module, workers);
    ran.push(figures);
    // Written after each module, so that an interrupted run of all keeps what it measured.
    const previous = (await readSummary()).filter((r) => r.module !== figures.module);
    const order = (name: string) => MUTATION_MODULES.findIndex((m) => m.name === name);
    const all = [...previous, figures].sort((a, b) => order(a.module) - order(b.module));
    await writeFile(SUMMARY, `${JSON.stringify(all, null, 2)}\n`);
  }
  const baseline = new Set(MUTATION_MODULES.filter((m) => m.baseline).map((m) => m.name));
  console.log(`\n${figuresTable(ran, baseline, TARGET_SCORE)}\n`);
  for (const r of ran) {
    if (r.survivors.length > 0) console.log(`${r.module}: surviving mutants\n  ${r.survivors.join('\n  ')}`);
  }
  const below = ran.filter((r) => r.score === null || r.score < TARGET_SCORE);
  if (below.length > 0) {
    console.log(
      `\nbelow the target of ${TARGET_SCORE} %: ${below.map((r) => `${r.module} (${r.score ?? 'n/a'} %)`).join(', ')}`,
    );
    return 1;
  }
  console.log(`every module at or above ${TARGET_SCORE} %`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 2;
  },
);
