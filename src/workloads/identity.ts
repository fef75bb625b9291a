/** Service-account identity helpers shared by the sections (pure). */
import { AUTH_PREFIX } from '../scopes/scope-names.js';
import { finding, type FindingCode, type WorkloadFinding } from './findings.js';

/** The cloud-wide scope: an access token with it can call every Google Cloud API the account's roles allow. */
export const CLOUD_PLATFORM = `${AUTH_PREFIX}cloud-platform`;

const DEFAULT_COMPUTE_ACCOUNT = /^(\d+)-compute@developer\.gserviceaccount\.com$/;

/** `<project number>-compute@developer.gserviceaccount.com`: the Compute Engine default service account. */
export function isDefaultComputeAccount(email: string): boolean {
  return DEFAULT_COMPUTE_ACCOUNT.test(email.trim().toLowerCase());
}

/**
 * The account's email (or unique id) from the forms Google uses: `projects/<p>/serviceAccounts/<account>`,
 * `serviceAccount:<email>`, or the bare account. Undefined for an empty value.
 */
export function serviceAccountOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let v = value.trim();
  if (v.startsWith('serviceAccount:')) v = v.slice('serviceAccount:'.length);
  const marker = '/serviceAccounts/';
  const at = v.lastIndexOf(marker);
  if (at >= 0) v = v.slice(at + marker.length);
  return v === '' ? undefined : v;
}

/** Whole days from `from` to `now` (0 for a future or unparsable date). */
export function ageInDays(from: string | undefined, now: Date): number | undefined {
  if (from === undefined) return undefined;
  const t = Date.parse(from);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, Math.floor((now.getTime() - t) / 86_400_000));
}

/**
 * The finding for a serverless workload (a Cloud Run service, a workflow) that runs as the Compute Engine default
 * service account: because it sets none (`codes.implicit`) or because it names that account (`codes.named`).
 * Empty when it runs as another account.
 */
export function defaultAccountFindings(
  account: string | undefined,
  name: string,
  subject: string,
  codes: { readonly implicit: FindingCode; readonly named: FindingCode },
): WorkloadFinding[] {
  if (account === undefined)
    return [
      finding(
        codes.implicit,
        subject,
        `${name} sets no service account, so it runs as the Compute Engine default service account.`,
      ),
    ];
  if (isDefaultComputeAccount(account))
    return [finding(codes.named, subject, `${name} runs as the Compute Engine default service account ${account}.`)];
  return [];
}
