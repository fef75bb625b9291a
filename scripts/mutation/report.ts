// The figures of a mutation run, per module: pure, from Stryker's mutant results to counts, a score and a table.

/** Stryker's mutant statuses (mutation-testing-report-schema). */
export type MutantStatus =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

export interface MutantOutcome {
  status: MutantStatus;
  fileName: string;
  mutatorName: string;
  replacement?: string | undefined;
  location: { start: { line: number; column: number } };
}

export interface ModuleFigures {
  module: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Mutants that broke the build or the runtime (not counted in the score, as Stryker does). */
  errors: number;
  ignored: number;
  /** killed + timeout + survived + noCoverage: the mutants the score is taken over. */
  valid: number;
  /** Detected (killed or timed out) of valid, in percent, two decimals; null when nothing was mutated. */
  score: number | null;
  seconds: number;
  /** When the run finished (ISO 8601). */
  at: string;
  survivors: string[];
}

/** Counts and score the way Stryker's mutation score does: (killed + timeout) / (killed + timeout + survived + no coverage). */
export function figuresOf(
  module: string,
  mutants: readonly MutantOutcome[],
  seconds: number,
  at: Date,
  root = '',
): ModuleFigures {
  const count = (...s: MutantStatus[]) => mutants.filter((m) => s.includes(m.status)).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  return {
    module,
    killed,
    timeout,
    survived,
    noCoverage,
    errors: count('CompileError', 'RuntimeError'),
    ignored: count('Ignored'),
    valid,
    score: valid === 0 ? null : Math.round(((killed + timeout) / valid) * 10_000) / 100,
    seconds: Math.round(seconds),
    at: at.toISOString(),
    survivors: mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map(
        (m) =>
          `${relativeTo(root, m.fileName)}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no coverage)' : ''}: ${oneLine(m.replacement ?? '')}`,
      )
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
  };
}

function relativeTo(root: string, file: string): string {
  return root && file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

function minutes(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** One Markdown table of the modules' figures, in the order given; `baseline` names the modules marked as such. */
export function figuresTable(rows: readonly ModuleFigures[], baseline: ReadonlySet<string>, target: number): string {
  const head = '| module | killed | timeout | survived | no coverage | score | run time | |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---|';
  const body = rows.map((r) => {
    const score = r.score === null ? 'n/a' : `${r.score.toFixed(2)} %`;
    const note = baseline.has(r.module)
      ? 'phase-1 baseline'
      : r.score !== null && r.score >= target
        ? 'ok'
        : 'below target';
    return `| ${r.module} | ${r.killed}/${r.valid} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${score} | ${minutes(r.seconds)} | ${note} |`;
  });
  return [head, rule, ...body].join('\n');
}
