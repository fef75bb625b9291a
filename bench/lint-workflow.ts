// `npm run bench:lint`: what reading Workflows definitions costs at the limits (SOURCE_LIMITS), the figures the
// limit tests only bound. Writes bench/lint-results.md and bench/lint-results.json.
//
// 1. Each of the largest inputs still accepted, and the hostile ones now refused: median, p95 and worst of
//    BENCH_LINT_RUNS (20) runs after a warm-up, in this process.
// 2. The server's case: a review of BENCH_LINT_WORKFLOWS (20) workflows, each the costliest accepted source,
//    once all at once (reviewWorkflows) and once a workflow per turn of the event loop (reviewWorkflowsInTurns,
//    what the server does), with the longest the event loop went without running a 1 ms timer: what other
//    users' requests wait for.
import fs from 'node:fs';
import path from 'node:path';
import { loadDiscovery } from '../src/scopes/discovery.js';
import { buildMethodIndex } from '../src/workloads/method-index.js';
import { lintWorkflowSource } from '../src/workloads/workflow-lint.js';
import { SOURCE_LIMITS, type SourceFormat } from '../src/workloads/workflow-source.js';
import { reviewWorkflows, reviewWorkflowsInTurns, type WorkflowInput } from '../src/workloads/workflows.js';
import {
  aliasedBlocks,
  deepJsonBody,
  largestRealistic,
  manyAliases,
  mostCalls,
  nestedAliasBomb,
  widestJsonMap,
} from '../test/workloads/hostile-sources.js';
import { ROOT, elapsedLog } from './lib.js';

const RUNS = Number(process.env['BENCH_LINT_RUNS'] ?? '20');
const WORKFLOWS = Number(process.env['BENCH_LINT_WORKFLOWS'] ?? '20');
const log = elapsedLog('bench:lint');
const index = buildMethodIndex(loadDiscovery());

interface Case {
  readonly name: string;
  readonly text: string;
  readonly format: SourceFormat;
}

const ACCEPTED: readonly Case[] = [
  {
    name: '128 KiB of realistic Compute calls (737 calls)',
    text: largestRealistic(SOURCE_LIMITS.maxBytes),
    format: 'yaml',
  },
  { name: '128 KiB of the smallest http.get steps', text: mostCalls(SOURCE_LIMITS.maxBytes), format: 'yaml' },
  {
    name: 'a JSON body with as many keys as fit in 128 KiB',
    text: widestJsonMap(SOURCE_LIMITS.maxBytes),
    format: 'json',
  },
  { name: '99 aliases of a 99-call block (9,900 calls)', text: aliasedBlocks(99, 99), format: 'yaml' },
  { name: 'JSON nested 100 deep', text: deepJsonBody(SOURCE_LIMITS.maxDepth - 6), format: 'json' },
];
const REFUSED: readonly Case[] = [
  { name: 'the 1 KB nested-alias bomb', text: nestedAliasBomb(), format: 'yaml' },
  { name: '101 aliases', text: manyAliases(101), format: 'yaml' },
  { name: '10,100 steps through aliases', text: aliasedBlocks(100, 99), format: 'yaml' },
  { name: 'JSON nested 60,000 deep (120 KB)', text: `${'['.repeat(60_000)}${']'.repeat(60_000)}`, format: 'json' },
];

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function time(c: Case): { median: number; p95: number; max: number; outcome: string } {
  const once = (): string => {
    try {
      return `${lintWorkflowSource(c.text, c.format, index).calls.length} calls`;
    } catch (err) {
      return `refused: ${(err as { limit?: { name: string } }).limit?.name ?? String(err)}`;
    }
  };
  const outcome = once();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    once();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: ms.at(-1) ?? Number.NaN, outcome };
}

/** How long `run` takes, and the longest the event loop went without running a 1 ms timer meanwhile. */
async function heldLoop(run: () => Promise<unknown> | unknown): Promise<{ totalMs: number; maxHeldMs: number }> {
  let last = performance.now();
  let maxHeldMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxHeldMs = Math.max(maxHeldMs, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  await run();
  const totalMs = performance.now() - t0;
  // One more tick, so a block at the very end is counted.
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(tick);
  return { totalMs, maxHeldMs };
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const c of [...ACCEPTED, ...REFUSED]) {
    log(c.name);
    const t = time(c);
    rows.push({ input: c.name, bytes: Buffer.byteLength(c.text), ...t });
  }
  const costliest = ACCEPTED.map((c) => ({
    c,
    median: (rows.find((r) => r['input'] === c.name)?.['median'] as number) ?? 0,
  })).sort((a, b) => b.median - a.median)[0]?.c as Case;
  const workflows: WorkflowInput[] = Array.from({ length: WORKFLOWS }, (_, i) => ({
    workflow: {
      name: `projects/p/locations/us-central1/workflows/w${i}`,
      serviceAccount: 'projects/p/serviceAccounts/w@p.iam.gserviceaccount.com',
      sourceContents: costliest.text,
    },
  }));
  log(`a review of ${WORKFLOWS} × "${costliest.name}"`);
  const together = await heldLoop(() => reviewWorkflows(workflows, index));
  const inTurns = await heldLoop(() => reviewWorkflowsInTurns(workflows, index));
  const review = { workflows: WORKFLOWS, source: costliest.name, together, inTurns };

  const fmt = (n: unknown) => (typeof n === 'number' ? n.toFixed(1) : String(n));
  const md = [
    '# Workflows lint at the limits (`npm run bench:lint`)',
    '',
    `Node ${process.version}, ${RUNS} runs after a warm-up, ${new Date().toISOString()}. Limits: ${JSON.stringify(SOURCE_LIMITS)}.`,
    '',
    '| input | bytes | outcome | median ms | p95 ms | worst ms |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r['input']} | ${r['bytes']} | ${r['outcome']} | ${fmt(r['median'])} | ${fmt(r['p95'])} | ${fmt(r['max'])} |`,
    ),
    '',
    `A review of ${WORKFLOWS} workflows, each "${costliest.name}": all at once ${fmt(together.totalMs)} ms with the event loop held ${fmt(together.maxHeldMs)} ms; one workflow per turn (the server) ${fmt(inTurns.totalMs)} ms, held at most ${fmt(inTurns.maxHeldMs)} ms.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'bench', 'lint-results.md'), md);
  fs.writeFileSync(
    path.join(ROOT, 'bench', 'lint-results.json'),
    `${JSON.stringify({ runs: RUNS, rows, review }, null, 2)}\n`,
  );
  process.stdout.write(md);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
