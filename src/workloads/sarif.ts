/**
 * SARIF 2.1.0 from findings (pure): the CI lint's `--format sarif` today, the review's exports tomorrow. Rule
 * metadata comes from the one rule table (`ruleMetadata`), codes are the rule ids, fingerprints come from
 * `fingerprint.ts` under `partialFingerprints`, so code scanning and ticketing deduplicate across runs.
 *
 * What GitHub code scanning reads (docs.github.com "SARIF support for code scanning", read 2026-12-07 from a
 * stored copy): `tool.driver.rules[]` with `id`, `shortDescription`, `fullDescription`, `helpUri`, `help`,
 * `defaultConfiguration.level` and `properties.security-severity` (a number as text: 7.0–8.9 high, 4.0–6.9
 * medium, 0.1–3.9 low); each result's `ruleId`, `level`, `message.text`, a `physicalLocation` with the file's
 * `artifactLocation.uri` (relative to the repository root) and `region.startLine`/`startColumn`, and
 * `partialFingerprints`.
 */
import type { Location, Log, Notification, ReportingDescriptor, Result } from 'sarif';
import { FINGERPRINT_KEY } from './fingerprint.js';
import { ruleMetadata, type FindingCode, type FindingFix, type Severity, type WorkloadFinding } from './findings.js';
import { formatMessage } from './rule-texts.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL_OF: Readonly<Record<Severity, SarifLevel>> = { high: 'error', medium: 'warning', low: 'note' };
const SECURITY_SEVERITY_OF: Readonly<Record<Severity, string>> = { high: '8.0', medium: '5.5', low: '3.0' };

export function sarifLevel(severity: Severity): SarifLevel {
  return LEVEL_OF[severity];
}

/** A rule as SARIF describes it, from the rule table. */
export function sarifRule(code: FindingCode): ReportingDescriptor {
  const rule = ruleMetadata(code);
  return {
    id: code,
    name: code,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.recommendation },
    helpUri: rule.guide.url,
    help: {
      text: `${rule.recommendation} ${rule.guide.title}: ${rule.guide.url}`,
      markdown: `${rule.recommendation}\n\n[${rule.guide.title}](${rule.guide.url})`,
    },
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: {
      tags: ['security'],
      'security-severity': SECURITY_SEVERITY_OF[rule.severity],
      severity: rule.severity,
    },
  };
}

/**
 * A file path as a SARIF URI: relative paths stay relative (code scanning resolves them against the repository
 * root), each segment percent-encoded, `\` read as a separator; absolute ones become `file://` URIs.
 */
export function artifactUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.exec(slashed)?.[0];
  const rest = drive ? slashed.slice(drive.length) : slashed.startsWith('/') ? slashed.slice(1) : slashed;
  const encoded = rest
    .split('/')
    .filter((segment, i) => !(segment === '.' && i === 0))
    .map(encodeURIComponent)
    .join('/');
  if (drive) return `file:///${drive}${encoded}`;
  return slashed.startsWith('/') ? `file:///${encoded}` : encoded;
}

/** A fix as text: `Fix: set args.auth to` and the YAML, or `Fix: remove args.auth.` */
export function fixText(fix: FindingFix): string {
  return fix.yaml === undefined
    ? formatMessage('fix.remove', { path: fix.path })
    : `${formatMessage('fix.replace', { path: fix.path })}\n${fix.yaml}`;
}

export interface SarifFindingInput {
  readonly finding: WorkloadFinding;
  /** From `findingFingerprint` + `withOccurrences`. */
  readonly fingerprint: string;
  /** The file it is in (an `artifactUri`); its line and column are the finding's `location`. */
  readonly artifactUri?: string;
  /** What it is about when there is no file, e.g. `projects/p/locations/r/workflows/w`. */
  readonly logicalName?: string;
}

export interface SarifNotificationInput {
  readonly level: SarifLevel;
  /** A stable code: a note code, or an error code such as WORKFLOW_SOURCE_LIMIT. */
  readonly code: string;
  readonly message: string;
  readonly artifactUri?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface SarifTool {
  readonly name: string;
  readonly version: string;
  readonly informationUri?: string;
}

export interface SarifInput {
  readonly tool: SarifTool;
  /** The rules of this tool, listed whether or not they fired (their order gives `ruleIndex`). */
  readonly rules: readonly FindingCode[];
  readonly findings: readonly SarifFindingInput[];
  /** What kept the tool from a full analysis: unreadable files (error), "cannot tell" notes (note). */
  readonly notifications?: readonly SarifNotificationInput[];
  /** False when an input could not be analysed at all. */
  readonly executionSuccessful: boolean;
}

function location(uri: string | undefined, line?: number, column?: number, logicalName?: string): Location {
  return {
    ...(uri !== undefined
      ? {
          physicalLocation: {
            artifactLocation: { uri },
            ...(line !== undefined
              ? { region: { startLine: line, ...(column !== undefined ? { startColumn: column } : {}) } }
              : {}),
          },
        }
      : {}),
    ...(logicalName !== undefined ? { logicalLocations: [{ fullyQualifiedName: logicalName }] } : {}),
  };
}

function result(input: SarifFindingInput, ruleIndex: number): Result {
  const f = input.finding;
  const text = f.fix ? `${f.message}\n\n${fixText(f.fix)}` : f.message;
  return {
    ruleId: f.code,
    ruleIndex,
    kind: 'fail',
    level: sarifLevel(f.severity),
    message: { text },
    locations: [location(input.artifactUri, f.location?.line, f.location?.column, input.logicalName)],
    partialFingerprints: { [FINGERPRINT_KEY]: input.fingerprint },
    properties: {
      severity: f.severity,
      subject: f.subject,
      ...(f.location?.workflow !== undefined ? { workflow: f.location.workflow } : {}),
      ...(f.location?.step !== undefined ? { step: f.location.step } : {}),
      ...(f.fix ? { fix: f.fix } : {}),
    },
  };
}

function notification(n: SarifNotificationInput): Notification {
  return {
    level: n.level,
    descriptor: { id: n.code },
    message: { text: n.message },
    ...(n.artifactUri !== undefined ? { locations: [location(n.artifactUri, n.line, n.column)] } : {}),
  };
}

/** One run of one tool: its rules, its results (in the order given), and what it could not analyse. */
export function buildSarifLog(input: SarifInput): Log {
  const ruleIndex = new Map(input.rules.map((code, i) => [code, i]));
  const rules = input.rules.map(sarifRule);
  const results = input.findings.map((f) => {
    let index = ruleIndex.get(f.finding.code);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(f.finding.code, index);
      rules.push(sarifRule(f.finding.code));
    }
    return result(f, index);
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: input.tool.name,
            version: input.tool.version,
            semanticVersion: input.tool.version,
            ...(input.tool.informationUri ? { informationUri: input.tool.informationUri } : {}),
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: input.executionSuccessful,
            toolExecutionNotifications: (input.notifications ?? []).map(notification),
          },
        ],
        results,
      },
    ],
  };
}
