/**
 * Google's identifier rules, in one place: routes (the zod schemas at the end), configuration (DEFAULT_PROJECT,
 * AUDIT_SINK) and API clients (the `check*` functions, run before any identifier reaches a URL) all use these.
 * Each `is*` is a pure predicate; each `check*` returns the value or throws `InvalidInputError` (the web layer
 * turns it into a 400). Messages name the field, never echo the rejected value.
 */
import { z } from 'zod';

export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly code = 'INVALID_INPUT' as const;
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, field: this.field, message: this.message };
  }
}

export function isInvalidInputError(value: unknown): value is InvalidInputError {
  return value instanceof InvalidInputError;
}

// Project IDs: 6–30 chars, lowercase letter first, no trailing hyphen. Legacy domain-scoped IDs
// ("example.com:my-project") are accepted too; they exist in old Workspace organisations.
const PROJECT_ID =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;
const REGION = /^[a-z]+-[a-z]+\d+$/;
const INSTANCE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const BUCKET_CHARS = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/;
const SA_LOCAL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SA_DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
// Cloud Run service names: lowercase letters, digits and hyphens, a letter first, no hyphen last, at most 49.
const RUN_SERVICE_NAME = /^[a-z](?:[a-z0-9-]{0,47}[a-z0-9])?$/;
// Workflow ids: letters, digits, underscores and hyphens, a letter first, a letter or digit last, 1–64 characters.
const WORKFLOW_ID = /^[A-Za-z](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/;

export function isProjectId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 100 && PROJECT_ID.test(value);
}

export function isZone(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && ZONE.test(value);
}

export function isRegion(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && REGION.test(value);
}

export function isInstanceName(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_NAME.test(value);
}

/**
 * Compute Engine operation names: a resource name (`operation-1700000000000-5f0a…`) or the numeric id, as the
 * Discovery document's pattern for zoneOperations.get (compute v1 rev 20260908).
 */
export function isOperationName(value: unknown): value is string {
  return typeof value === 'string' && (INSTANCE_NAME.test(value) || /^[1-9][0-9]{0,19}$/.test(value));
}

/**
 * Cloud Storage bucket names: 3–63 chars (up to 222 when dotted, each dot-separated part ≤ 63), lowercase
 * letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, no empty dot-separated part.
 */
export function isBucketName(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (value.length < 3 || value.length > 222) return false;
  if (!BUCKET_CHARS.test(value)) return false;
  const parts = value.split('.');
  if (parts.length === 1) return value.length <= 63;
  return parts.every((p) => p.length > 0 && p.length <= 63);
}

/**
 * Service account emails: `<name>@<project>.iam.gserviceaccount.com`, and the Google-created defaults
 * (`<number>-compute@developer.gserviceaccount.com`, `<project>@appspot.gserviceaccount.com`,
 * service agents under `*.gserviceaccount.com`).
 */
export function isServiceAccountEmail(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 254) return false;
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@')) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!SA_LOCAL.test(local)) return false;
  if (!domain.endsWith('.gserviceaccount.com')) return false;
  const labels = domain.slice(0, -'.gserviceaccount.com'.length).split('.');
  return labels.length >= 1 && labels.every((l) => SA_DOMAIN_LABEL.test(l));
}

export function isRunServiceName(value: unknown): value is string {
  return typeof value === 'string' && RUN_SERVICE_NAME.test(value);
}

export function isWorkflowId(value: unknown): value is string {
  return typeof value === 'string' && WORKFLOW_ID.test(value);
}

export function isPageToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 4096 && PRINTABLE_ASCII.test(value);
}

function check<T>(ok: boolean, value: T, field: string, what: string): T {
  if (!ok) throw new InvalidInputError(field, `Invalid ${what} in field "${field}".`);
  return value;
}

export function checkProjectId(value: unknown, field = 'projectId'): string {
  return check(isProjectId(value), value as string, field, 'project ID');
}

export function checkZone(value: unknown, field = 'zone'): string {
  return check(isZone(value), value as string, field, 'zone');
}

export function checkRegion(value: unknown, field = 'region'): string {
  return check(isRegion(value), value as string, field, 'region');
}

export function checkInstanceName(value: unknown, field = 'instance'): string {
  return check(isInstanceName(value), value as string, field, 'instance name');
}

export function checkOperationName(value: unknown, field = 'operation'): string {
  return check(isOperationName(value), value as string, field, 'operation name');
}

export function checkBucketName(value: unknown, field = 'bucket'): string {
  return check(isBucketName(value), value as string, field, 'bucket name');
}

export function checkServiceAccountEmail(value: unknown, field = 'serviceAccountEmail'): string {
  return check(isServiceAccountEmail(value), value as string, field, 'service account email');
}

export function checkRunServiceName(value: unknown, field = 'service'): string {
  return check(isRunServiceName(value), value as string, field, 'Cloud Run service name');
}

export function checkWorkflowId(value: unknown, field = 'workflow'): string {
  return check(isWorkflowId(value), value as string, field, 'workflow id');
}

/** Optional page token: undefined passes; otherwise 1–4096 printable ASCII chars. */
export function checkPageToken(value: unknown, field = 'pageToken'): string | undefined {
  if (value === undefined) return undefined;
  return check(isPageToken(value), value as string, field, 'page token');
}

/** Optional page size: undefined passes; otherwise an integer in 1..max. */
export function checkPageSize(value: unknown, max: number, field = 'pageSize'): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
  if (!ok) throw new InvalidInputError(field, `Field "${field}" must be an integer between 1 and ${max}.`);
  return value as number;
}

/** Optional free-text query/filter/prefix: undefined passes; otherwise a string of at most `maxLength` chars. */
export function checkText(value: unknown, maxLength: number, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === 'string' && value.length <= maxLength && !value.includes('\u0000');
  if (!ok) throw new InvalidInputError(field, `Field "${field}" must be text of at most ${maxLength} characters.`);
  return value as string;
}

// ---------------------------------------------------------------------------------------------------------
// The same rules as zod schemas, for request input (query strings and forms: each field a single string).

const single = z.string({ error: 'expected a single value' });
const rule = (ok: (v: string) => boolean, expected: string) => single.refine(ok, { message: expected });

export const ids = {
  project: rule(isProjectId, 'expected a Google Cloud project id such as my-project-123'),
  zone: rule(isZone, 'expected a zone such as us-central1-a'),
  region: rule(isRegion, 'expected a region such as us-central1'),
  instance: rule(isInstanceName, 'expected an instance name'),
  operation: rule(isOperationName, 'expected a Compute Engine operation name'),
  bucket: rule(isBucketName, 'expected a bucket name'),
  serviceAccountEmail: rule(isServiceAccountEmail, 'expected a service account e-mail'),
  pageToken: rule(isPageToken, 'expected a page token').optional(),
  /** Free text of at most `max` characters (a filter, a prefix). */
  text: (max: number) =>
    single.max(max, `at most ${max} characters`).refine((v) => !v.includes('\u0000'), { message: 'expected text' }),
} as const;

/** An empty form field means "not given". */
export const emptyToUndefined = (v: unknown): unknown => (v === '' ? undefined : v);
