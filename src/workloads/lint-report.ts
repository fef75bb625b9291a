/**
 * The CI lint's pure half (`scripts/lint-workflow.ts` does the reading and printing): arguments, one result per
 * file, the exit code, fingerprints, and the four output formats: text (people), JSON (machines), SARIF 2.1.0
 * (code scanning) and GitHub Actions annotations.
 *
 * Exit codes: 0 no finding, 1 at least one finding, 2 a file could not be read, parsed, or was beyond a limit
 * (2 wins over 1). Notes ("cannot tell") are printed but never fail the run.
 *
 * CI logs are read by the CI: GitHub Actions runs `::command::` lines (`::add-mask::`, `::error::`,
 * `::stop-commands::`) and older `##[command]` text anywhere in a line, Azure Pipelines `##vso[…]`. Every value
 * taken from a file (names, URLs, messages that quote them, file names) is therefore cleaned before any format
 * sees it: line breaks and other control characters are written as escapes (`\n`, `\x1b`), Unicode format
 * characters (bidirectional overrides, zero-width characters) are dropped. Each format then makes sure no
 * line can start a command and no `##[` survives: text lines starting with `::` are escaped, JSON and SARIF keep
 * values inside strings and write `##[` as `#\u0023[`, annotations escape their properties and data.
 */
import { shortScope } from '../scopes/scope-names.js';
import { findingFingerprint, withOccurrences } from './fingerprint.js';
import { SEVERITY_ORDER, countBySeverity, ruleMetadata, sortFindings, type WorkloadFinding } from './findings.js';
import type { MethodIndex } from './method-index.js';
import {
  artifactUri,
  buildSarifLog,
  fixText,
  sarifLevel,
  type SarifNotificationInput,
  type SarifTool,
} from './sarif.js';
import {
  HTTP_FINDING_CODES,
  lintWorkflowSource,
  type HttpCallReport,
  type WorkflowLintResult,
} from './workflow-lint.js';
import { checkSourceSize, detectFormat, isWorkflowSourceError, type SourceLimitName } from './workflow-source.js';

export const LINT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export const LINT_USAGE = `Usage: scopewise-lint-workflow [--format text|json|sarif|github] [--output FILE] <file.yaml|file.json>...
       npm run lint-workflow -- [options] <file.yaml|file.json>...

Lints Google Cloud Workflows definitions: prints every http.* call with its auth type, the scopes or audience
it uses, the Google API method its URL maps to and the narrowest scope for it, and flags what Google's
"Make authenticated requests from a workflow" advises against, each finding at file:line:column with its fix.

  --format text     for people (default)
  --format json     one JSON document (--json is the same)
  --format sarif    SARIF 2.1.0, for GitHub code scanning and other SARIF readers
  --format github   GitHub Actions annotations (::error file=…,line=…::…)
  --output FILE     write the report to FILE instead of standard output
  --help            this text

Exit status: 0 no finding, 1 findings, 2 a file could not be read or parsed, or is beyond a limit.`;

export interface LintArgs {
  readonly files: readonly string[];
  readonly format: LintFormat;
  readonly output: string | undefined;
  readonly help: boolean;
}

export function parseLintArgs(argv: readonly string[]): { args: LintArgs } | { error: string } {
  const files: string[] = [];
  let format: LintFormat | undefined;
  let output: string | undefined;
  let help = false;
  let onlyFiles = false;
  const setFormat = (value: string | undefined): string | undefined => {
    if (value === undefined || !(LINT_FORMATS as readonly string[]).includes(value))
      return `--format takes one of ${LINT_FORMATS.join(', ')}${value === undefined ? '' : `, not ${value}`}.`;
    if (format !== undefined && format !== value) return `Two formats given: ${format} and ${value}.`;
    format = value as LintFormat;
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    let problem: string | undefined;
    if (onlyFiles) files.push(arg);
    else if (arg === '--') onlyFiles = true;
    else if (arg === '--json') problem = setFormat('json');
    else if (arg === '--format') problem = setFormat(argv[++i]);
    else if (arg.startsWith('--format=')) problem = setFormat(arg.slice('--format='.length));
    else if (arg === '--output' || arg === '-o') {
      output = argv[++i];
      if (output === undefined || output === '') problem = `${arg} takes a file name.`;
    } else if (arg.startsWith('--output=')) output = arg.slice('--output='.length);
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('-')) problem = `Unknown option ${arg}.`;
    else files.push(arg);
    if (problem) return { error: problem };
  }
  if (!help && files.length === 0) return { error: 'No file given.' };
  return { args: { files, format: format ?? 'text', output, help } };
}

export type FileErrorCode =
  | 'FILE_UNREADABLE'
  | 'WORKFLOW_SOURCE_SYNTAX'
  | 'WORKFLOW_SOURCE_STRUCTURE'
  | 'WORKFLOW_SOURCE_EMPTY'
  | 'WORKFLOW_SOURCE_LIMIT';

export interface LintFileError {
  readonly code: FileErrorCode;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** WORKFLOW_SOURCE_LIMIT: the limit (SOURCE_LIMITS) and its value. */
  readonly limit?: { readonly name: SourceLimitName; readonly value: number };
}

export type LintFileResult =
  | { readonly file: string; readonly status: 'checked'; readonly result: WorkflowLintResult }
  | { readonly file: string; readonly status: 'error'; readonly error: LintFileError };

/**
 * `content` is the file's text, the error reading it threw, or its size when that is beyond `SOURCE_LIMITS`
 * (so that a huge file is refused without being read).
 */
export function lintFile(
  file: string,
  content: string | Error | { readonly size: number },
  index: MethodIndex,
): LintFileResult {
  if (content instanceof Error) {
    const code = (content as NodeJS.ErrnoException).code;
    return {
      file,
      status: 'error',
      error: { code: 'FILE_UNREADABLE', message: `Cannot read the file${code ? ` (${code})` : ''}.` },
    };
  }
  try {
    if (typeof content !== 'string') {
      checkSourceSize(content.size);
      throw new Error(`lintFile: ${file} is given by its size (${content.size} bytes), which is within the limit`);
    }
    return { file, status: 'checked', result: lintWorkflowSource(content, detectFormat(content, file), index) };
  } catch (err) {
    if (!isWorkflowSourceError(err)) throw err;
    return {
      file,
      status: 'error',
      error: {
        code: err.code,
        message: err.message,
        ...(err.line !== undefined ? { line: err.line } : {}),
        ...(err.column !== undefined ? { column: err.column } : {}),
        ...(err.limit !== undefined ? { limit: err.limit } : {}),
      },
    };
  }
}

export function exitCodeOf(results: readonly LintFileResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.status === 'error')) return 2;
  return results.some((r) => r.status === 'checked' && r.result.findings.length > 0) ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Values from files, made safe for a CI log

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One line of display text: line breaks and other control characters (C0, DEL, C1 such as NEL, and the Unicode
 * line and paragraph separators) written as escapes, format characters (bidi overrides and isolates, zero-width
 * characters, the BOM: Unicode category Cf) dropped.
 */
export function cleanText(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Cf}]/gu, (ch) => {
    if (/\p{Cf}/u.test(ch)) return '';
    const code = ch.codePointAt(0) ?? 0;
    return ESCAPES[ch] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
  });
}

/** Every string of `value` through `cleanText`; a fix's YAML line by line (its own line breaks are the fix's). */
function cleanDeep<T>(value: T, key?: string): T {
  if (typeof value === 'string')
    return (key === 'yaml' ? value.split('\n').map(cleanText).join('\n') : cleanText(value)) as T;
  if (Array.isArray(value)) return value.map((v) => cleanDeep(v)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanDeep(v, k)])) as T;
  return value;
}

/** The legacy in-line commands of GitHub Actions (`##[…]`) and Azure Pipelines (`##vso[…]`). */
const INLINE_COMMAND = /##(?=(?:vso)?\[)/gi;

/** Text lines: none starts a `::` command (after the runner's trim), no `##[` is left. */
function guardLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^(\s*):/, '$1\\:'))
    .join('\n')
    .replace(INLINE_COMMAND, '#\\#');
}

/** JSON text: values stay in strings; `##[` is written `#\u0023[` (the same string once parsed). */
function guardJson(json: string): string {
  return json.replace(INLINE_COMMAND, '#\\u0023');
}

// ---------------------------------------------------------------------------------------------------------------
// The report all formats are written from

/** A finding as reported: cleaned, with its fingerprint. */
export type ReportedFinding = WorkloadFinding & { readonly fingerprint: string };

export type ReportedFile =
  | {
      readonly file: string;
      readonly status: 'checked';
      readonly result: Omit<WorkflowLintResult, 'findings'> & { readonly findings: readonly ReportedFinding[] };
    }
  | { readonly file: string; readonly status: 'error'; readonly error: LintFileError };

/**
 * The results as every format prints them: findings sorted (`sortFindings`) with fingerprints over the raw
 * values (file, workflow, step: never a line or a message), then every string cleaned.
 */
export function reportOf(results: readonly LintFileResult[]): ReportedFile[] {
  const sorted = results.map((r) =>
    r.status === 'checked' ? { ...r, result: { ...r.result, findings: sortFindings(r.result.findings) } } : r,
  );
  const hashes = sorted.flatMap((r) =>
    r.status === 'checked'
      ? r.result.findings.map((f) =>
          findingFingerprint(f.code, [artifactUri(r.file), f.location?.workflow ?? '', f.location?.step ?? f.subject]),
        )
      : [],
  );
  const fingerprints = withOccurrences(hashes);
  let next = 0;
  const reported = sorted.map((r): ReportedFile => {
    if (r.status === 'error') return r;
    const findings = r.result.findings.map((f) => ({ ...f, fingerprint: fingerprints[next++] ?? '' }));
    return { ...r, result: { ...r.result, findings } };
  });
  return cleanDeep(reported);
}

interface Totals {
  readonly files: number;
  readonly findings: number;
  readonly notes: number;
  readonly unreadable: number;
}

function totalsOf(report: readonly ReportedFile[]): Totals {
  const checked = report.flatMap((r) => (r.status === 'checked' ? [r.result] : []));
  return {
    files: report.length,
    findings: checked.reduce((n, r) => n + r.findings.length, 0),
    notes: checked.reduce((n, r) => n + r.notes.length, 0),
    unreadable: report.length - checked.length,
  };
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function summaryLine(t: Totals): string {
  return `${plural(t.files, 'file')}: ${plural(t.findings, 'finding')}, ${plural(t.notes, 'note')}, ${t.unreadable} unreadable`;
}

function at(file: string, line: number | undefined, column: number | undefined): string {
  return line === undefined ? file : `${file}:${line}:${column ?? 1}`;
}

// ---------------------------------------------------------------------------------------------------------------
// text

const TARGET_LABEL: Readonly<Record<string, string>> = {
  'cloud-run': 'target: Cloud Run service',
  'cloud-functions': 'target: Cloud Run function',
  other: 'target: not a Google API',
  unknown: 'target: (cannot tell)',
};

function callLines(file: string, c: HttpCallReport): string[] {
  const auth =
    c.authType === 'OAuth2'
      ? `OAuth2, scopes: ${c.scopesDefaulted ? 'none given (cloud-platform)' : (c.scopes ?? []).map(shortScope).join(', ') || '(computed)'}`
      : c.authType === 'OIDC'
        ? `OIDC, audience: ${c.audience ?? ''}${c.audienceDefaulted ? ' (default: the URL)' : ''}`
        : `auth: ${c.authType}`;
  const parts = [auth];
  if (c.target === 'google-api') {
    parts.push(
      c.methodIds.length === 0
        ? 'method: (cannot tell)'
        : `method: ${c.methodIds.join(' | ')}${c.methodStatus === 'verb-mismatch' ? ' (another HTTP verb)' : ''}`,
      `narrowest: ${c.narrowestScope ? shortScope(c.narrowestScope) : '(cannot tell)'}`,
    );
  } else {
    parts.push(TARGET_LABEL[c.target] ?? '');
  }
  return [
    `  ${at(file, c.location.line, c.location.column)}  ${c.step} [${c.workflow}]  ${c.call} ${c.url ?? '(no url)'}`,
    `      ${parts.join('   ')}`,
  ];
}

function findingLines(file: string, f: ReportedFinding): string[] {
  const lines = [
    `  ${at(file, f.location?.line, f.location?.column)}: ${f.severity.toUpperCase()} ${f.code}: ${f.message}`,
    `      Google recommends: ${f.recommendation}`,
  ];
  if (f.fix)
    lines.push(
      ...fixText(f.fix)
        .split('\n')
        .map((l, i) => (i === 0 ? `      ${l}` : `        ${l}`)),
    );
  lines.push(`      ${f.guide.url}`);
  return lines;
}

export function formatText(results: readonly LintFileResult[]): string {
  const report = reportOf(results);
  const out: string[] = [];
  for (const r of report) {
    out.push(r.file);
    if (r.status === 'error') {
      out.push(`  ERROR ${r.error.code}  ${at(r.file, r.error.line, r.error.column)}: ${r.error.message}`, '');
      continue;
    }
    const { calls, findings, notes } = r.result;
    if (calls.length === 0) out.push('  no http.* calls');
    for (const c of calls) out.push(...callLines(r.file, c));
    for (const f of findings) out.push(...findingLines(r.file, f));
    for (const n of notes)
      out.push(`  ${at(r.file, n.location?.line, n.location?.column)}: note ${n.code}: ${n.message}`);
    const by = countBySeverity(findings);
    const sev = SEVERITY_ORDER.filter((s) => by[s] > 0).map((s) => `${by[s]} ${s}`);
    out.push(
      `  ${plural(calls.length, 'http call')}, ${plural(findings.length, 'finding')}${sev.length ? ` (${sev.join(', ')})` : ''}, ${plural(notes.length, 'note')}`,
      '',
    );
  }
  out.push(summaryLine(totalsOf(report)));
  return `${guardLines(out.join('\n'))}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// json

export function formatJson(results: readonly LintFileResult[], tool?: SarifTool): string {
  const report = reportOf(results);
  const files = report.map((r) =>
    r.status === 'error'
      ? { file: r.file, status: r.status, error: r.error }
      : {
          file: r.file,
          status: r.status,
          format: r.result.format,
          workflows: r.result.workflows,
          calls: r.result.calls,
          findings: r.result.findings,
          notes: r.result.notes,
        },
  );
  const summary = { ...totalsOf(report), exitCode: exitCodeOf(results) };
  return `${guardJson(JSON.stringify({ ...(tool ? { tool } : {}), files, summary }, null, 2))}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// sarif

export function formatSarif(results: readonly LintFileResult[], tool: SarifTool): string {
  const report = reportOf(results);
  const log = buildSarifLog({
    tool,
    rules: HTTP_FINDING_CODES,
    executionSuccessful: report.every((r) => r.status === 'checked'),
    findings: report.flatMap((r) =>
      r.status === 'checked'
        ? r.result.findings.map((finding) => ({
            finding,
            fingerprint: finding.fingerprint,
            artifactUri: artifactUri(r.file),
          }))
        : [],
    ),
    notifications: report.flatMap((r): SarifNotificationInput[] =>
      r.status === 'error'
        ? [
            {
              level: 'error',
              code: r.error.code,
              message: r.error.message,
              artifactUri: artifactUri(r.file),
              ...(r.error.line !== undefined ? { line: r.error.line, column: r.error.column ?? 1 } : {}),
            },
          ]
        : r.result.notes.map((n) => ({
            level: 'note',
            code: n.code,
            message: n.message,
            artifactUri: artifactUri(r.file),
            ...(n.location ? { line: n.location.line, column: n.location.column } : {}),
          })),
    ),
  });
  return `${guardJson(JSON.stringify(log, null, 2))}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// github

/** Workflow-command data: `%`, CR and LF escaped (GitHub's runner unescapes exactly these). */
export function escapeAnnotationData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values: the data escapes plus `:` and `,`, which end a property. */
export function escapeAnnotationProperty(text: string): string {
  return escapeAnnotationData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(
  command: 'error' | 'warning' | 'notice',
  props: { file: string; line?: number | undefined; col?: number | undefined; title: string },
  message: string,
): string {
  const list = [
    `file=${escapeAnnotationProperty(props.file)}`,
    ...(props.line !== undefined ? [`line=${props.line}`, `col=${props.col ?? 1}`] : []),
    `title=${escapeAnnotationProperty(props.title)}`,
  ];
  return `::${command} ${list.join(',')}::${escapeAnnotationData(message)}`;
}

const COMMAND_OF = { error: 'error', warning: 'warning', note: 'notice' } as const;

export function formatGithub(results: readonly LintFileResult[]): string {
  const report = reportOf(results);
  const out: string[] = [];
  for (const r of report) {
    if (r.status === 'error') {
      out.push(
        annotation(
          'error',
          { file: r.file, line: r.error.line, col: r.error.column, title: r.error.code },
          r.error.message,
        ),
      );
      continue;
    }
    for (const f of r.result.findings) {
      const body = [
        f.message,
        '',
        `Google recommends: ${f.recommendation}`,
        ...(f.fix ? ['', fixText(f.fix)] : []),
        '',
        f.guide.url,
      ];
      out.push(
        annotation(
          COMMAND_OF[sarifLevel(f.severity)],
          {
            file: r.file,
            line: f.location?.line,
            col: f.location?.column,
            title: `${f.code} (${f.severity}): ${ruleMetadata(f.code).title}`,
          },
          body.join('\n'),
        ),
      );
    }
    for (const n of r.result.notes) {
      out.push(
        annotation(
          'notice',
          { file: r.file, line: n.location?.line, col: n.location?.column, title: n.code },
          n.message,
        ),
      );
    }
  }
  out.push(summaryLine(totalsOf(report)));
  // Each line is one command the runner parses in full; `##[` is still neutralised, should a line ever not be.
  return `${out.join('\n').replace(INLINE_COMMAND, '#\\#')}\n`;
}

export function formatReport(format: LintFormat, results: readonly LintFileResult[], tool: SarifTool): string {
  switch (format) {
    case 'text':
      return formatText(results);
    case 'json':
      return formatJson(results, tool);
    case 'sarif':
      return formatSarif(results, tool);
    case 'github':
      return formatGithub(results);
  }
}
