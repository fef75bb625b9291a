/**
 * One section of the workload-identity page, as the engine renders it: either a report (rows + findings), or a
 * clear one-line status for an empty project, a disabled API, denied IAM permission, a missing scope, or a
 * failure. Pure: Google's error (a `GoogleApiError`) in, a status out.
 */
import { isGoogleApiError } from '../google/errors.js';
import { isInvalidInputError } from '../google/ids.js';
import { countBySeverity, sortFindings, type Severity, type WorkloadFinding, type WorkloadNote } from './findings.js';

export const SECTION_IDS = ['vms', 'cloud-run', 'service-account-keys', 'workflows'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export interface SectionInfo {
  readonly title: string;
  /** The API the section reads (its `*.googleapis.com` service name and title, for "enable the API" lines). */
  readonly service: string;
  readonly serviceTitle: string;
  /** Why the findings matter, one or two sentences, shown under the section header. */
  readonly whyItMatters: string;
  /** What an empty project shows. */
  readonly empty: string;
}

export const SECTIONS: Readonly<Record<SectionId, SectionInfo>> = {
  vms: {
    title: 'VMs',
    service: 'compute.googleapis.com',
    serviceTitle: 'Compute Engine API',
    whyItMatters:
      'Any process on a VM can ask the metadata server for a token of its attached service account. The account’s roles and the VM’s access scopes decide what a compromised VM can do to the rest of the project.',
    empty: 'No VM instances in this project.',
  },
  'cloud-run': {
    title: 'Cloud Run services',
    service: 'run.googleapis.com',
    serviceTitle: 'Cloud Run Admin API',
    whyItMatters:
      'A Cloud Run service acts with its service account’s roles, and its invoker policy decides who may call it. The default compute account often holds Editor; a public invoker lets anyone on the internet call the code.',
    empty: 'No Cloud Run services in the regions read.',
  },
  'service-account-keys': {
    title: 'Service-account keys',
    service: 'iam.googleapis.com',
    serviceTitle: 'Identity and Access Management (IAM) API',
    whyItMatters:
      'A user-managed key is a long-lived password for a service account: whoever copies the file can act as the account from anywhere until the key is deleted. Google-managed keys never leave Google.',
    empty: 'No user-managed service-account keys in this project (Google-managed keys need no action).',
  },
  workflows: {
    title: 'Workflows',
    service: 'workflows.googleapis.com',
    serviceTitle: 'Workflows API',
    whyItMatters:
      'Each http.* step sends a token of the workflow’s service account. Without scopes an OAuth2 token carries cloud-platform, and a token of the wrong type either fails or hands a Google API token to a service that should only get an ID token.',
    empty: 'No workflows in the regions read.',
  },
};

export interface SectionReport<Row> {
  readonly section: SectionId;
  readonly rows: readonly Row[];
  /** Most severe first (`sortFindings`). */
  readonly findings: readonly WorkloadFinding[];
  readonly notes: readonly WorkloadNote[];
  readonly findingCount: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly whyItMatters: string;
}

export function sectionReport<Row>(
  section: SectionId,
  rows: readonly Row[],
  findings: readonly WorkloadFinding[],
  notes: readonly WorkloadNote[] = [],
): SectionReport<Row> {
  const sorted = sortFindings(findings);
  return {
    section,
    rows,
    findings: sorted,
    notes,
    findingCount: sorted.length,
    bySeverity: countBySeverity(sorted),
    whyItMatters: SECTIONS[section].whyItMatters,
  };
}

/** Why a section has no report; `message` is the one line the page shows (never Google's raw text). */
export type SectionOutcome<Row> =
  | { readonly status: 'ok'; readonly section: SectionId; readonly report: SectionReport<Row> }
  | {
      readonly status: 'empty';
      readonly section: SectionId;
      readonly message: string;
      readonly report: SectionReport<Row>;
    }
  | {
      readonly status: 'api-disabled';
      readonly section: SectionId;
      readonly message: string;
      readonly service: string;
      /** Where an admin enables it (Google's console URL for the API, scoped to the project). */
      readonly activationUrl: string;
    }
  | {
      readonly status: 'permission-denied';
      readonly section: SectionId;
      readonly message: string;
      readonly permission?: string;
    }
  | {
      readonly status: 'scope-missing';
      readonly section: SectionId;
      readonly message: string;
      readonly requiredScopes: readonly string[];
    }
  | { readonly status: 'not-found'; readonly section: SectionId; readonly message: string }
  | { readonly status: 'failed'; readonly section: SectionId; readonly message: string; readonly code: string };

export type SectionStatus = SectionOutcome<unknown>['status'];

/** A report becomes `empty` when it has no rows (an empty project is a line, not an empty table). */
export function outcomeFromReport<Row>(report: SectionReport<Row>): SectionOutcome<Row> {
  if (report.rows.length === 0)
    return { status: 'empty', section: report.section, message: SECTIONS[report.section].empty, report };
  return { status: 'ok', section: report.section, report };
}

const PERMISSION_IN_MESSAGE = /Permission '([a-z][A-Za-z0-9_.]+)' denied|Required '([a-z][A-Za-z0-9_.]+)' permission/;

/** Google's reasons for "the API is not enabled on this project": the ErrorInfo reason and the older JSON APIs' one. */
const SERVICE_DISABLED_REASONS = new Set(['SERVICE_DISABLED', 'accessNotConfigured']);

/**
 * The status line for an error a section's Google call threw. Input errors (a bad project id) and anything not
 * from Google are `failed` with their code, never re-thrown, so one section cannot break the page.
 */
export function outcomeFromError(section: SectionId, projectId: string, err: unknown): SectionOutcome<never> {
  const info = SECTIONS[section];
  if (isInvalidInputError(err)) {
    return { status: 'failed', section, code: err.code, message: 'The project id or region is not valid.' };
  }
  if (!isGoogleApiError(err)) {
    return { status: 'failed', section, code: 'UNEXPECTED', message: `${info.title} could not be read.` };
  }
  if (err.code === 'PERMISSION_DENIED' && err.reason !== undefined && SERVICE_DISABLED_REASONS.has(err.reason)) {
    return {
      status: 'api-disabled',
      section,
      service: info.service,
      activationUrl: `https://console.cloud.google.com/apis/library/${info.service}?project=${encodeURIComponent(projectId)}`,
      message: `The ${info.serviceTitle} is not enabled in ${projectId}, so there is nothing to review here.`,
    };
  }
  switch (err.code) {
    case 'SCOPE_INSUFFICIENT':
      return {
        status: 'scope-missing',
        section,
        requiredScopes: err.requiredScopes ?? [],
        message: `Scopewise does not hold the access this section needs; grant it to see ${info.title.toLowerCase()}.`,
      };
    case 'PERMISSION_DENIED': {
      const m = PERMISSION_IN_MESSAGE.exec(err.message);
      const permission = m?.[1] ?? m?.[2];
      return {
        status: 'permission-denied',
        section,
        ...(permission ? { permission } : {}),
        message: `Your IAM role on ${projectId} does not allow reading ${info.title.toLowerCase()}${permission ? ` (missing ${permission})` : ''}.`,
      };
    }
    case 'NOT_FOUND':
      return { status: 'not-found', section, message: `Google does not know the project ${projectId}.` };
    default:
      return {
        status: 'failed',
        section,
        code: err.code,
        message: `Google could not answer for ${info.title.toLowerCase()} (${err.code}); try again later.`,
      };
  }
}
