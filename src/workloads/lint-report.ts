/**
 * The CI lint's pure half (`scripts/lint-workflow.ts` does the reading and printing): arguments, one result per
 * file, the exit code, and the text and JSON output.
 *
 * Exit codes: 0 no finding, 1 at least one finding, 2 a file could not be read or parsed (2 wins over 1).
 * Notes ("cannot tell") are printed but never fail the run.
 */
import { shortScope } from '../scopes/scope-names.js';
import { SEVERITY_ORDER, countBySeverity, sortFindings, type WorkloadFinding, type WorkloadNote } from './findings.js';
import type { MethodIndex } from './method-index.js';
import { lintWorkflowSource, type HttpCallReport, type WorkflowLintResult } from './workflow-lint.js';
import { detectFormat, isWorkflowSourceError } from './workflow-source.js';

export const LINT_USAGE = `Usage: npm run lint-workflow -- [--json] <file.yaml|file.json>...
       node dist/scripts/lint-workflow.js [--json] <file.yaml|file.json>...

Lints Google Cloud Workflows definitions: prints every http.* call with its auth type, the scopes or audience
it uses, the Google API method its URL maps to and the narrowest scope for it, and flags what Google's
"Make authenticated requests from a workflow" advises against.

  --json   one JSON document on stdout instead of text
  --help   this text

Exit status: 0 no finding, 1 findings, 2 a file could not be read or parsed.`;

export interface LintArgs {
  readonly files: readonly string[];
  readonly json: boolean;
  readonly help: boolean;
}

export function parseLintArgs(argv: readonly string[]): { args: LintArgs } | { error: string } {
  const files: string[] = [];
  let json = false;
  let help = false;
  let onlyFiles = false;
  for (const arg of argv) {
    if (!onlyFiles && arg === '--') onlyFiles = true;
    else if (!onlyFiles && arg === '--json') json = true;
    else if (!onlyFiles && (arg === '--help' || arg === '-h')) help = true;
    else if (!onlyFiles && arg.startsWith('-')) return { error: `Unknown option ${arg}.` };
    else files.push(arg);
  }
  if (!help && files.length === 0) return { error: 'No file given.' };
  return { args: { files, json, help } };
}

export type FileErrorCode =
  | 'FILE_UNREADABLE'
  | 'WORKFLOW_SOURCE_SYNTAX'
  | 'WORKFLOW_SOURCE_STRUCTURE'
  | 'WORKFLOW_SOURCE_EMPTY';

export interface LintFileError {
  readonly code: FileErrorCode;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export type LintFileResult =
  | { readonly file: string; readonly status: 'checked'; readonly result: WorkflowLintResult }
  | { readonly file: string; readonly status: 'error'; readonly error: LintFileError };

/** `content` is the file's text, or the error reading it threw. */
export function lintFile(file: string, content: string | Error, index: MethodIndex): LintFileResult {
  if (content instanceof Error) {
    const code = (content as NodeJS.ErrnoException).code;
    return {
      file,
      status: 'error',
      error: { code: 'FILE_UNREADABLE', message: `Cannot read the file${code ? ` (${code})` : ''}.` },
    };
  }
  try {
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
      },
    };
  }
}

export function exitCodeOf(results: readonly LintFileResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.status === 'error')) return 2;
  return results.some((r) => r.status === 'checked' && r.result.findings.length > 0) ? 1 : 0;
}

/** Step names, URLs and messages come from the files: control characters (terminal escapes) never reach the CI log. */
function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    out += (c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) ? '\ufffd' : ch;
  }
  return out;
}

function callLine(c: HttpCallReport): string {
  const auth =
    c.authType === 'OAuth2'
      ? `OAuth2, scopes: ${c.scopesDefaulted ? 'none given (cloud-platform)' : (c.scopes ?? []).map(shortScope).join(', ') || '(computed)'}`
      : c.authType === 'OIDC'
        ? `OIDC, audience: ${c.audience ?? ''}${c.audienceDefaulted ? ' (default: the URL)' : ''}`
        : `auth: ${c.authType}`;
  const method =
    c.methodIds.length === 0
      ? c.methodStatus === 'not-a-google-api'
        ? 'method: (not a Google API)'
        : 'method: (cannot tell)'
      : `method: ${c.methodIds.join(' | ')}`;
  const narrowest = c.narrowestScope
    ? `narrowest: ${shortScope(c.narrowestScope)}`
    : c.methodStatus === 'not-a-google-api'
      ? ''
      : 'narrowest: (cannot tell)';
  return [
    `  line ${c.location.line}  ${c.step} [${c.workflow}]  ${c.call} ${c.url ?? '(no url)'}`,
    `      ${[auth, method, narrowest].filter((s) => s !== '').join('   ')}`,
  ].join('\n');
}

function findingLines(f: WorkloadFinding): string {
  const at = f.location ? `line ${f.location.line}: ` : '';
  return [
    `  ${f.severity.toUpperCase()} ${f.code}  ${at}${f.message}`,
    `      Google recommends: ${f.recommendation}`,
    `      ${f.guide.url}`,
  ].join('\n');
}

function noteLine(n: WorkloadNote): string {
  return `  note ${n.code}  ${n.location ? `line ${n.location.line}: ` : ''}${n.message}`;
}

export function formatText(results: readonly LintFileResult[]): string {
  const out: string[] = [];
  let findings = 0;
  let notes = 0;
  let errors = 0;
  for (const r of results) {
    out.push(r.file);
    if (r.status === 'error') {
      errors++;
      const at =
        r.error.line !== undefined ? `:${r.error.line}${r.error.column !== undefined ? `:${r.error.column}` : ''}` : '';
      out.push(`  ERROR ${r.error.code}  ${r.file}${at}: ${r.error.message}`, '');
      continue;
    }
    const { calls, notes: ns } = r.result;
    const fs = sortFindings(r.result.findings);
    findings += fs.length;
    notes += ns.length;
    if (calls.length === 0) out.push('  no http.* calls');
    for (const c of calls) out.push(callLine(c));
    for (const f of fs) out.push(findingLines(f));
    for (const n of ns) out.push(noteLine(n));
    const by = countBySeverity(fs);
    const sev = SEVERITY_ORDER.filter((s) => by[s] > 0).map((s) => `${by[s]} ${s}`);
    out.push(
      `  ${calls.length} http call${calls.length === 1 ? '' : 's'}, ${fs.length} finding${fs.length === 1 ? '' : 's'}${sev.length ? ` (${sev.join(', ')})` : ''}, ${ns.length} note${ns.length === 1 ? '' : 's'}`,
      '',
    );
  }
  out.push(
    `${results.length} file${results.length === 1 ? '' : 's'}: ${findings} finding${findings === 1 ? '' : 's'}, ${notes} note${notes === 1 ? '' : 's'}, ${errors} unreadable`,
  );
  return `${printable(out.join('\n'))}\n`;
}

export function formatJson(results: readonly LintFileResult[]): string {
  const files = results.map((r) =>
    r.status === 'error'
      ? { file: r.file, status: r.status, error: r.error }
      : {
          file: r.file,
          status: r.status,
          format: r.result.format,
          workflows: r.result.workflows,
          calls: r.result.calls,
          findings: sortFindings(r.result.findings),
          notes: r.result.notes,
        },
  );
  const summary = {
    files: results.length,
    findings: results.reduce((n, r) => n + (r.status === 'checked' ? r.result.findings.length : 0), 0),
    notes: results.reduce((n, r) => n + (r.status === 'checked' ? r.result.notes.length : 0), 0),
    unreadable: results.filter((r) => r.status === 'error').length,
    exitCode: exitCodeOf(results),
  };
  return `${JSON.stringify({ files, summary }, null, 2)}\n`;
}
