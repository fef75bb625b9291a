// Before `npm run lint-workflow` (its "pre" script): builds the production tree with `npm run build` when
// build/scripts/lint-workflow.js is missing or older than a file it is built from, so the lint runs without
// compiling each time and never runs stale code. In a production tree (build/ without src/) it never builds.
// Plain JavaScript, as it runs before anything is compiled; the build's output goes to stderr, so a report on
// stdout (`--format sarif > results.sarif`) stays clean.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUILT = 'build/scripts/lint-workflow.js';
const SOURCES = ['src', 'scripts/lint-workflow.ts', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const built = existsSync(BUILT) ? statSync(BUILT).mtimeMs : 0;
const sources = Math.max(...SOURCES.map(newest));
if (built === 0 || sources > built) {
  // npm sets npm_execpath to its own CLI: run the build with the npm that runs this script.
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm, 'run', 'build', '--silent']] : ['npm', ['run', 'build', '--silent']];
  process.stderr.write(`lint-workflow: building the production tree (${built === 0 ? 'missing' : 'older than its sources'})\n`);
  const r = spawnSync(command, args, { stdio: ['ignore', process.stderr, process.stderr] });
  process.exitCode = r.status ?? 1;
}
