/**
 * What the workload-identity review reports: findings (a practice Google advises against, with what it
 * recommends instead and a link to the guide) and notes (what Scopewise could not tell, never a guess).
 *
 * Every finding code is stable (pages, logs, the CI lint's JSON and SARIF carry it) and has exactly one rule entry
 * below: its severity and guide; its English title and Google's recommendation are in `FINDING_TEXTS`
 * (rule-texts.ts, the one table of texts). The message, which names the resource, is built by the rule.
 */
import {
  GUIDE_CUSTOM_METHODS,
  GUIDE_RUN_PUBLIC,
  GUIDE_SA_KEYS,
  GUIDE_VM_SERVICE_ACCOUNTS,
  GUIDE_WORKFLOW_AUTH,
  GUIDE_WORKFLOW_LIMITS,
  GUIDE_WORKLOAD_AUTH,
  type Guide,
} from './guides.js';
import { FINDING_TEXTS, NOTE_TEXTS, type RuleText } from './rule-texts.js';

/** high: broad power anyone reaching the workload gets; medium: against Google's advice; low: tidy-up. */
export type Severity = 'high' | 'medium' | 'low';

export const SEVERITY_ORDER: readonly Severity[] = ['high', 'medium', 'low'];

export interface FindingRule {
  readonly severity: Severity;
  readonly guide: Guide;
}

/** Severity and guide per code; the English title and recommendation are in `FINDING_TEXTS` (rule-texts.ts). */
export const FINDING_RULES = {
  // VMs
  'vm-no-service-account': { severity: 'low', guide: GUIDE_WORKLOAD_AUTH },
  'vm-default-service-account': { severity: 'medium', guide: GUIDE_VM_SERVICE_ACCOUNTS },
  'vm-default-account-cloud-platform': { severity: 'high', guide: GUIDE_VM_SERVICE_ACCOUNTS },
  'vm-legacy-full-access': { severity: 'medium', guide: GUIDE_VM_SERVICE_ACCOUNTS },
  // Cloud Run
  'run-default-service-account': { severity: 'medium', guide: GUIDE_WORKLOAD_AUTH },
  'run-implicit-service-account': { severity: 'medium', guide: GUIDE_WORKLOAD_AUTH },
  'run-unauthenticated-invocation': { severity: 'medium', guide: GUIDE_RUN_PUBLIC },
  'run-any-google-account-invocation': { severity: 'high', guide: GUIDE_RUN_PUBLIC },
  // Service-account keys
  'sa-key-user-managed': { severity: 'medium', guide: GUIDE_SA_KEYS },
  'sa-key-user-managed-old': { severity: 'high', guide: GUIDE_SA_KEYS },
  'sa-key-inactive': { severity: 'low', guide: GUIDE_SA_KEYS },
  // Workflows: identity and source
  'workflow-default-service-account': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  'workflow-implicit-service-account': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  // Its calls went unreviewed, and the source has the shape of an attack on parsers.
  'workflow-source-over-limit': { severity: 'medium', guide: GUIDE_WORKFLOW_LIMITS },
  // Workflows: http.* steps
  'http-oauth2-default-scope': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  'http-oauth2-scope-broader-than-needed': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  'http-oauth2-scope-not-accepted': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  'http-oauth2-scope-unneeded': { severity: 'low', guide: GUIDE_WORKFLOW_AUTH },
  'http-oidc-to-google-api': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  'http-oauth2-to-cloud-run': { severity: 'high', guide: GUIDE_WORKFLOW_AUTH },
  'http-cloud-run-without-oidc': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  'http-oidc-audience-mismatch': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  'http-oauth2-to-other-host': { severity: 'high', guide: GUIDE_WORKFLOW_AUTH },
  'http-missing-url': { severity: 'medium', guide: GUIDE_WORKFLOW_AUTH },
  // The call fails; a broken step is often "fixed" by widening its token, so it is worth catching before that.
  'http-method-verb-mismatch': { severity: 'medium', guide: GUIDE_CUSTOM_METHODS },
} as const satisfies Record<string, FindingRule>;

export type FindingCode = keyof typeof FINDING_RULES;

export const FINDING_CODES = Object.keys(FINDING_RULES) as FindingCode[];

// Every code has its texts (a compile error otherwise), and the texts name no code without a rule.
const TEXTS_OF_EVERY_CODE: Readonly<Record<FindingCode, RuleText>> = FINDING_TEXTS;
const RULE_OF_EVERY_TEXT: Readonly<Record<keyof typeof FINDING_TEXTS, FindingRule>> = FINDING_RULES;

/** Everything known about a rule, for reports that list rules (SARIF's `tool.driver.rules`, the board's groups). */
export interface RuleMetadata extends RuleText, FindingRule {
  readonly code: FindingCode;
}

export function ruleMetadata(code: FindingCode): RuleMetadata {
  return { code, ...RULE_OF_EVERY_TEXT[code], ...TEXTS_OF_EVERY_CODE[code] };
}

/** Where a finding sits in a workflow source (1-based line and column). */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
  /** `main` or the subworkflow's name. */
  readonly workflow?: string;
  /** Step name, nested steps joined by " › ". */
  readonly step?: string;
}

/**
 * The change that resolves a finding, as YAML to put in the step: `path` names the key it replaces (`args.auth`,
 * `call`, `args.method`); `yaml` is that key with its new value, at column 1. No `yaml`: delete the key.
 */
export interface FindingFix {
  readonly path: 'args.auth' | 'call' | 'args.method';
  readonly yaml?: string;
}

export interface WorkloadFinding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** What it is about: an instance, a service, a key, a workflow. */
  readonly subject: string;
  /** One line, naming the resource. */
  readonly message: string;
  readonly recommendation: string;
  readonly guide: Guide;
  readonly location?: SourceLocation;
  readonly fix?: FindingFix;
}

export function finding(
  code: FindingCode,
  subject: string,
  message: string,
  location?: SourceLocation,
  fix?: FindingFix,
): WorkloadFinding {
  const rule = ruleMetadata(code);
  return {
    code,
    severity: rule.severity,
    subject,
    message,
    recommendation: rule.recommendation,
    guide: rule.guide,
    ...(location ? { location } : {}),
    ...(fix ? { fix } : {}),
  };
}

/** Things Scopewise could not decide; shown, never counted as findings and never failing the CI lint. */
export const NOTE_CODES = [
  'http-url-unresolved',
  'http-method-unknown',
  'http-method-ambiguous',
  'http-scopes-unresolved',
  'http-auth-unresolved',
  'http-google-api-without-auth',
  'http-audience-unresolved',
  'http-only-cloud-platform',
  'run-policy-unreadable',
  'sa-keys-unreadable',
  'workflow-source-unreadable',
  'vm-list-partial',
  'region-skipped',
  'list-truncated',
] as const;
export type NoteCode = (typeof NOTE_CODES)[number];

const TITLE_OF_EVERY_NOTE: Readonly<Record<NoteCode, { readonly title: string }>> = NOTE_TEXTS;

export function noteTitle(code: NoteCode): string {
  return TITLE_OF_EVERY_NOTE[code].title;
}

export interface WorkloadNote {
  readonly code: NoteCode;
  readonly subject: string;
  readonly message: string;
  readonly location?: SourceLocation;
}

export function note(code: NoteCode, subject: string, message: string, location?: SourceLocation): WorkloadNote {
  return { code, subject, message, ...(location ? { location } : {}) };
}

/** Most severe first, then by subject, then by line: a stable order for pages and output. */
export function sortFindings(findings: readonly WorkloadFinding[]): WorkloadFinding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0) ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** Counts per severity, for the section header. */
export function countBySeverity(findings: readonly WorkloadFinding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const f of findings) out[f.severity] += 1;
  return out;
}
