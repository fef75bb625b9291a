/**
 * "Narrower" for Google OAuth scopes, defined explicitly (pure, data-driven).
 *
 * Definition. Every known scope is ranked as data: the **service** it covers (`compute`, `storage`, …, or `*` for
 * the cloud-wide `cloud-platform*` scopes) and an **access level**, which stands for a set of capabilities:
 *
 *   read-only  = {read}            e.g. compute.readonly, devstorage.read_only, logging.read, cloud-platform.read-only
 *   write-only = {write}           e.g. logging.write, monitoring.write, bigquery.insertdata (submit-only scopes)
 *   read-write = {read, write}     e.g. compute, devstorage.read_write, monitoring, run, bigquery
 *   full       = {read, write, admin}  e.g. devstorage.full_control (also permissions), logging.admin, cloud-platform
 *
 * A ≤ B ("A grants no more than B") when B's service covers A's (`*` covers every service, a service covers
 * itself) AND A's capabilities are a subset of B's. A is **narrower** than B when A ≤ B and not B ≤ A.
 * That is a partial order; consequences (all tested):
 *   - within a service, read-only < read-write < full (devstorage.read_only < read_write < full_control,
 *     logging.read < logging.admin, compute.readonly < compute, run.readonly < run, monitoring.read < monitoring);
 *   - a write-only scope is incomparable with the same service's read-only scope (logging.write can't read logs);
 *   - every service scope < cloud-platform (cloud-platform is `*`/full);
 *   - a read-only service scope < cloud-platform.read-only (one service vs all of them, both read-only);
 *   - a service write scope vs cloud-platform.read-only: incomparable (more access to less);
 *   - cloud-platform.read-only < cloud-platform;
 *   - a scope not in the table (including the identity scopes) is incomparable with every other scope,
 *     and any scope string is `equal` to itself.
 *
 * The order only says which scope grants less when both authorize the method in question; whether a scope
 * authorizes a method comes from the Discovery data, never from here.
 */

import { AUTH_PREFIX } from './scope-names.js';

export type Capability = 'read' | 'write' | 'admin';
export type AccessLevel = 'read-only' | 'write-only' | 'read-write' | 'full';
/** `*` = every Google Cloud service (the cloud-platform scopes). */
export const CLOUD_WIDE = '*';

export interface ScopeRank {
  readonly service: string;
  readonly access: AccessLevel;
}

export type Breadth = 'narrower' | 'broader' | 'equal' | 'incomparable';

export const ACCESS_CAPABILITIES: Readonly<Record<AccessLevel, readonly Capability[]>> = {
  'read-only': ['read'],
  'write-only': ['write'],
  'read-write': ['read', 'write'],
  full: ['read', 'write', 'admin'],
};

const rank = (service: string, access: AccessLevel): ScopeRank => ({ service, access });

/** The rank of every Cloud scope in the vendored Discovery data (a test keeps this table complete). */
export const SCOPE_RANKS: Readonly<Record<string, ScopeRank>> = {
  [`${AUTH_PREFIX}cloud-platform`]: rank(CLOUD_WIDE, 'full'),
  [`${AUTH_PREFIX}cloud-platform.read-only`]: rank(CLOUD_WIDE, 'read-only'),

  [`${AUTH_PREFIX}compute.readonly`]: rank('compute', 'read-only'),
  [`${AUTH_PREFIX}compute`]: rank('compute', 'read-write'),

  [`${AUTH_PREFIX}devstorage.read_only`]: rank('storage', 'read-only'),
  [`${AUTH_PREFIX}devstorage.read_write`]: rank('storage', 'read-write'),
  [`${AUTH_PREFIX}devstorage.full_control`]: rank('storage', 'full'),

  [`${AUTH_PREFIX}logging.read`]: rank('logging', 'read-only'),
  [`${AUTH_PREFIX}logging.write`]: rank('logging', 'write-only'),
  [`${AUTH_PREFIX}logging.admin`]: rank('logging', 'full'),

  [`${AUTH_PREFIX}run.readonly`]: rank('run', 'read-only'),
  [`${AUTH_PREFIX}run`]: rank('run', 'read-write'),

  [`${AUTH_PREFIX}monitoring.read`]: rank('monitoring', 'read-only'),
  [`${AUTH_PREFIX}monitoring.write`]: rank('monitoring', 'write-only'),
  [`${AUTH_PREFIX}monitoring`]: rank('monitoring', 'read-write'),

  [`${AUTH_PREFIX}bigquery.insertdata`]: rank('bigquery', 'write-only'),
  [`${AUTH_PREFIX}bigquery`]: rank('bigquery', 'read-write'),

  // Scopes only the REST reference lists (vendor/google-rest-reference). What supports each rank:
  //  - Every one of them is ≤ cloud-platform, because cloud-platform is the cloud-wide full scope. Google's
  //    description of it (Discovery auth maps, e.g. cloudresourcemanager:v3 rev 20260218 and iam:v1 rev
  //    20260320 in vendor/google-discovery/methods.json): "See, edit, configure, and delete your Google Cloud
  //    data and see the email address for your Google Account." — all Google Cloud data, every capability.
  //  - iam: ranked `full` within the IAM API, the conservative rank: Google's REST reference lists it beside
  //    cloud-platform for reads (serviceAccounts.list/get, keys.list) and no read-only IAM scope exists in
  //    either source; no Google description of the scope was found in the corpus, so nothing supports ranking it
  //    lower. Hence iam < cloud-platform, and iam vs cloud-platform.read-only is incomparable (more access to
  //    less data), as for every service write scope.
  //  - cloudplatformprojects.readonly / cloudplatformprojects: no Google description was found in the corpus
  //    (vendor/google-rest-reference/methods.json → scopes[…].descriptionStatus). The read-only rank of
  //    `.readonly`, and so cloudplatformprojects.readonly < cloudplatformprojects and
  //    cloudplatformprojects.readonly < cloud-platform.read-only, rests on Google's scope NAME only, like
  //    compute.readonly; `cloudplatformprojects` is ranked `read-write` (not `full`) on the same basis.
  //    This is flagged as name-based in RANK_BASIS, and the catalogue never depends on it today (the projects
  //    feature asks cloud-platform.read-only, see catalogue.ts).
  [`${AUTH_PREFIX}iam`]: rank('iam', 'full'),
  [`${AUTH_PREFIX}cloudplatformprojects.readonly`]: rank('resourcemanager-projects', 'read-only'),
  [`${AUTH_PREFIX}cloudplatformprojects`]: rank('resourcemanager-projects', 'read-write'),
};

/** Ranks that rest on Google's scope name only (no Google description of the scope was found). */
export const RANK_BASIS: Readonly<Record<string, 'description' | 'scope-name-only' | 'conservative'>> = {
  [`${AUTH_PREFIX}iam`]: 'conservative',
  [`${AUTH_PREFIX}cloudplatformprojects.readonly`]: 'scope-name-only',
  [`${AUTH_PREFIX}cloudplatformprojects`]: 'scope-name-only',
};

export function scopeRank(scope: string): ScopeRank | undefined {
  return Object.hasOwn(SCOPE_RANKS, scope) ? SCOPE_RANKS[scope] : undefined;
}

/** cloud-platform or cloud-platform.read-only. */
export function isCloudWide(scope: string): boolean {
  return scopeRank(scope)?.service === CLOUD_WIDE;
}

export function isReadOnlyScope(scope: string): boolean {
  return scopeRank(scope)?.access === 'read-only';
}

function grantsNoMoreThan(a: ScopeRank, b: ScopeRank): boolean {
  const covers = b.service === CLOUD_WIDE || b.service === a.service;
  const capsB = ACCESS_CAPABILITIES[b.access];
  return covers && ACCESS_CAPABILITIES[a.access].every((c) => capsB.includes(c));
}

/** How `a` compares with `b`: `'narrower'` means a grants strictly less than b. */
export function compareBreadth(a: string, b: string): Breadth {
  if (a === b) return 'equal';
  const ra = scopeRank(a);
  const rb = scopeRank(b);
  if (!ra || !rb) return 'incomparable';
  const le = grantsNoMoreThan(ra, rb);
  const ge = grantsNoMoreThan(rb, ra);
  if (le && ge) return 'equal';
  if (le) return 'narrower';
  if (ge) return 'broader';
  return 'incomparable';
}

/**
 * Preference among scopes that are incomparable (neither narrower), lower first:
 *   0 service read-only  1 cloud-platform.read-only  2 service write/read-write/full  3 cloud-platform  4 unknown.
 *
 * Why cloud-platform.read-only (1) before a service's write scope (2): the two are incomparable (view everything
 * vs change one service), and both can only be on offer for a method that a read-only scope authorizes, i.e. a
 * method that only reads. Asking write access for a read is the one thing least privilege must never do: a
 * read-only token can leak but cannot change or delete anything. So a service scope wins over a cloud-wide one
 * only at the same access (compute.readonly over cloud-platform.read-only is already the partial order), and a
 * write scope is chosen only when the method needs write (no read-only scope authorizes it). Real case:
 * bigquery datasets.list accepts bigquery (read-write) and cloud-platform.read-only → cloud-platform.read-only.
 */
function preferenceClass(scope: string): number {
  const r = scopeRank(scope);
  if (!r) return 4;
  const wide = r.service === CLOUD_WIDE;
  if (r.access === 'read-only') return wide ? 1 : 0;
  return wide ? 3 : 2;
}

/** The scopes of `scopes` that have no strictly narrower scope in `scopes` (deduplicated, input order). */
export function minimalScopes(scopes: readonly string[]): string[] {
  const unique = [...new Set(scopes)];
  return unique.filter((s) => !unique.some((o) => compareBreadth(o, s) === 'narrower'));
}

/**
 * Among the scopes a method accepts (each authorizes it by itself), the one to ask for: a minimal scope
 * (nothing accepted is narrower), ties broken by `preferenceClass`, then fewer capabilities, then the URI
 * (so the answer depends only on the set, not its order). Undefined for an empty list.
 */
export function narrowestScopeFor(acceptedScopes: readonly string[]): string | undefined {
  const candidates = minimalScopes(acceptedScopes);
  const caps = (s: string): number => {
    const r = scopeRank(s);
    return r ? ACCESS_CAPABILITIES[r.access].length : Number.MAX_SAFE_INTEGER;
  };
  candidates.sort(
    (x, y) => preferenceClass(x) - preferenceClass(y) || caps(x) - caps(y) || (x < y ? -1 : x > y ? 1 : 0),
  );
  return candidates[0];
}
