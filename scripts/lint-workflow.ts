#!/usr/bin/env node
/**
 * The Workflows lint for people's CI: `scopewise-lint-workflow [--format text|json|sarif|github] [--output FILE]
 * <file.yaml|file.json>...`. Exit 0 clean, 1 findings, 2 unreadable input or a file beyond a limit.
 *
 * Built, it runs without a compiler: `node build/scripts/lint-workflow.js` in the production tree (`npm run
 * build`), the package's `bin` (`scopewise-lint-workflow`), or `npm run lint-workflow` in a clone (which builds
 * the production tree the first time only). It reads Scopewise's Discovery data from `vendor/`, found by walking
 * up from this file.
 *
 * npm runs scripts from the package folder, so under `npm run lint-workflow` relative paths are resolved against
 * INIT_CWD (the folder npm was started in); run directly, against the current folder. Reported paths are as
 * given, except that absolute paths inside GITHUB_WORKSPACE are reported relative to it (annotations and code
 * scanning need repository paths).
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDiscovery } from '../src/scopes/discovery.js';
import { buildMethodIndex } from '../src/workloads/method-index.js';
import {
  LINT_USAGE,
  exitCodeOf,
  formatReport,
  lintFile,
  parseLintArgs,
  type LintFileResult,
} from '../src/workloads/lint-report.js';
import type { SarifTool } from '../src/workloads/sarif.js';
import { SOURCE_LIMITS } from '../src/workloads/workflow-source.js';

/** The file's text; its size alone when beyond the limit (never read); or why it cannot be read. */
async function read(path: string): Promise<string | Error | { size: number }> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) return Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    if (stat.size > SOURCE_LIMITS.maxBytes) return { size: stat.size };
    return (await handle.readFile()).toString('utf8');
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await handle?.close();
  }
}

/** Scopewise's name and version, from the package.json above this file (the clone's, or the installed package's). */
function tool(): SarifTool {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: string };
      return { name: 'scopewise-lint-workflow', version: pkg.version ?? '0.0.0' };
    }
    const parent = dirname(dir);
    if (parent === dir) return { name: 'scopewise-lint-workflow', version: '0.0.0' };
    dir = parent;
  }
}

function reportedPath(file: string, base: string): string {
  const workspace = process.env['GITHUB_WORKSPACE'];
  if (!workspace || !isAbsolute(file)) return file;
  const rel = relative(workspace, resolve(base, file));
  return rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) ? file : rel;
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseLintArgs(argv);
  if ('error' in parsed) {
    process.stderr.write(`${parsed.error}\n\n${LINT_USAGE}\n`);
    return 2;
  }
  const { args } = parsed;
  if (args.help) {
    process.stdout.write(`${LINT_USAGE}\n`);
    return 0;
  }
  const viaNpm = process.env['npm_lifecycle_event'] === 'lint-workflow';
  const base = (viaNpm ? process.env['INIT_CWD'] : undefined) ?? process.cwd();
  const index = buildMethodIndex(loadDiscovery());
  const results: LintFileResult[] = [];
  for (const file of args.files)
    results.push(lintFile(reportedPath(file, base), await read(resolve(base, file)), index));
  const report = formatReport(args.format, results, tool());
  if (args.output === undefined) process.stdout.write(report);
  else await writeFile(resolve(base, args.output), report);
  return exitCodeOf(results);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lint-workflow failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
