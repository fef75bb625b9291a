/**
 * `npm run lint-workflow -- [--json] <file.yaml|file.json>...` (or `node dist/scripts/lint-workflow.js …`):
 * lints Google Cloud Workflows definitions for people's CI. Exit 0 clean, 1 findings, 2 unreadable input.
 *
 * npm runs scripts from the package folder, so under `npm run lint-workflow` relative paths are resolved
 * against INIT_CWD (the folder npm was started in); run directly with node, against the current folder.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadDiscovery } from '../src/scopes/discovery.js';
import { buildMethodIndex } from '../src/workloads/method-index.js';
import {
  LINT_USAGE,
  exitCodeOf,
  formatJson,
  formatText,
  lintFile,
  parseLintArgs,
  type LintFileResult,
} from '../src/workloads/lint-report.js';

/** Workflows accepts sources up to 128 KB; a CI file far beyond that is not a workflow. */
const MAX_FILE_BYTES = 1024 * 1024;

async function read(path: string): Promise<string | Error> {
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_FILE_BYTES) return Object.assign(new Error('too large'), { code: 'EFBIG' });
    return buf.toString('utf8');
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseLintArgs(argv);
  if ('error' in parsed) {
    process.stderr.write(`${parsed.error}\n\n${LINT_USAGE}\n`);
    return 2;
  }
  if (parsed.args.help) {
    process.stdout.write(`${LINT_USAGE}\n`);
    return 0;
  }
  const viaNpm = process.env['npm_lifecycle_event'] === 'lint-workflow';
  const base = (viaNpm ? process.env['INIT_CWD'] : undefined) ?? process.cwd();
  const index = buildMethodIndex(loadDiscovery());
  const results: LintFileResult[] = [];
  for (const file of parsed.args.files) results.push(lintFile(file, await read(resolve(base, file)), index));
  process.stdout.write(parsed.args.json ? formatJson(results) : formatText(results));
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
