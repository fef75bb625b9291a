/**
 * What the workload-identity review reports: findings (a practice Google advises against, with what it
 * recommends instead and a link to the guide) and notes (what Scopewise could not tell, never a guess).
 *
 * Every finding code is stable (pages, logs and the CI lint print it) and has exactly one rule entry below: its
 * severity, Google's recommendation and the guide. The message, which names the resource, is built by the rule.
 */
import {
  GUIDE_RUN_PUBLIC,
  GUIDE_SA_KEYS,
  GUIDE_VM_SERVICE_ACCOUNTS,
  GUIDE_WORKFLOW_AUTH,
  GUIDE_WORKLOAD_AUTH,
  type Guide,
} from './guides.js';

/** high: broad power anyone reaching the workload gets; medium: against Google's advice; low: tidy-up. */
export type Severity = 'high' | 'medium' | 'low';

export const SEVERITY_ORDER: readonly Severity[] = ['high', 'medium', 'low'];

export interface FindingRule {
  readonly severity: Severity;
  /** What Google recommends instead, one sentence. */
  readonly recommendation: string;
  readonly guide: Guide;
}

export const FINDING_RULES = {
  // VMs
  'vm-no-service-account': {
    severity: 'low',
    recommendation:
      'If software on this VM calls Google APIs, attach a user-managed service account with only the roles it needs, instead of a key file or user credentials on the VM.',
    guide: GUIDE_WORKLOAD_AUTH,
  },
  'vm-default-service-account': {
    severity: 'medium',
    recommendation:
      'Attach a user-managed service account that holds only the roles this workload needs, instead of the Compute Engine default service account.',
    guide: GUIDE_VM_SERVICE_ACCOUNTS,
  },
  'vm-default-account-cloud-platform': {
    severity: 'high',
    recommendation:
      'Keep the cloud-platform access scope only with a user-managed service account limited by IAM roles; the default service account often holds the Editor role, so this VM can change almost anything in the project.',
    guide: GUIDE_VM_SERVICE_ACCOUNTS,
  },
  'vm-legacy-full-access': {
    severity: 'medium',
    recommendation:
      'Replace the per-API full-access scopes with a user-managed service account limited by IAM roles (and the cloud-platform access scope), as Google recommends.',
    guide: GUIDE_VM_SERVICE_ACCOUNTS,
  },
  // Cloud Run
  'run-default-service-account': {
    severity: 'medium',
    recommendation: 'Deploy the service with a user-managed service account that holds only the roles it needs.',
    guide: GUIDE_WORKLOAD_AUTH,
  },
  'run-implicit-service-account': {
    severity: 'medium',
    recommendation:
      'Set a user-managed service account on the service; without one, its revisions run as the Compute Engine default service account.',
    guide: GUIDE_WORKLOAD_AUTH,
  },
  'run-unauthenticated-invocation': {
    severity: 'medium',
    recommendation:
      'Allow unauthenticated invocation only for a public website or API; otherwise grant roles/run.invoker to the callers that need it.',
    guide: GUIDE_RUN_PUBLIC,
  },
  'run-any-google-account-invocation': {
    severity: 'high',
    recommendation:
      'Grant roles/run.invoker to specific principals instead of allAuthenticatedUsers, which is any Google account in the world.',
    guide: GUIDE_RUN_PUBLIC,
  },
  // Service-account keys
  'sa-key-user-managed': {
    severity: 'medium',
    recommendation:
      'Prefer an attached service account (on Google Cloud) or workload identity federation (elsewhere) to a downloaded key, then delete the key.',
    guide: GUIDE_SA_KEYS,
  },
  'sa-key-user-managed-old': {
    severity: 'high',
    recommendation:
      'Replace this long-lived key with an attached service account or workload identity federation; if a key must stay, rotate it and delete this one.',
    guide: GUIDE_SA_KEYS,
  },
  'sa-key-inactive': {
    severity: 'low',
    recommendation: 'Delete keys that are disabled or expired, so they cannot be turned back on.',
    guide: GUIDE_SA_KEYS,
  },
  // Workflows: identity
  'workflow-default-service-account': {
    severity: 'medium',
    recommendation: 'Deploy the workflow with a user-managed service account that holds only the roles its steps need.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'workflow-implicit-service-account': {
    severity: 'medium',
    recommendation:
      'Set a user-managed service account on the workflow; without one it runs as the Compute Engine default service account.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  // Workflows: http.* steps
  'http-oauth2-default-scope': {
    severity: 'medium',
    recommendation:
      'List the narrowest scope of the method under auth.scopes; without scopes the token carries cloud-platform.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-oauth2-scope-broader-than-needed': {
    severity: 'medium',
    recommendation: 'Ask only for the narrowest scope that authorizes the method.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-oauth2-scope-not-accepted': {
    severity: 'medium',
    recommendation:
      'List a scope the method accepts; with these scopes Google refuses the call (403 ACCESS_TOKEN_SCOPE_INSUFFICIENT).',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-oauth2-scope-unneeded': {
    severity: 'low',
    recommendation: 'Remove scopes the method does not use; each one widens what a leaked token can do.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-oidc-to-google-api': {
    severity: 'medium',
    recommendation:
      'Call *.googleapis.com with auth type OAuth2 (an access token); Google APIs do not accept ID tokens.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-oauth2-to-cloud-run': {
    severity: 'high',
    recommendation:
      'Call Cloud Run and Cloud Run functions with auth type OIDC (an ID token); an OAuth2 access token hands the service a token for Google APIs.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-cloud-run-without-oidc': {
    severity: 'medium',
    recommendation: 'Add auth type OIDC so the call carries an ID token and the service can require authentication.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-oidc-audience-mismatch': {
    severity: 'medium',
    recommendation:
      'Leave audience out (it defaults to the URL) or set it to the service URL; the receiving service rejects other audiences.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-oauth2-to-other-host': {
    severity: 'high',
    recommendation:
      'Send OAuth2 access tokens only to *.googleapis.com; any other host can replay the token against Google APIs.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
  'http-missing-url': {
    severity: 'medium',
    recommendation: 'Give every http.* call args.url; Workflows rejects the definition otherwise.',
    guide: GUIDE_WORKFLOW_AUTH,
  },
} as const satisfies Record<string, FindingRule>;

export type FindingCode = keyof typeof FINDING_RULES;

export const FINDING_CODES = Object.keys(FINDING_RULES) as FindingCode[];

/** Where a finding sits in a workflow source (1-based line and column). */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
  /** Step name, nested steps joined by " › ". */
  readonly step?: string;
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
}

export function finding(
  code: FindingCode,
  subject: string,
  message: string,
  location?: SourceLocation,
): WorkloadFinding {
  const rule: FindingRule = FINDING_RULES[code];
  return {
    code,
    severity: rule.severity,
    subject,
    message,
    recommendation: rule.recommendation,
    guide: rule.guide,
    ...(location ? { location } : {}),
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
