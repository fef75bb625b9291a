// The mock's OWN authorization table: which OAuth scopes authorize each Cloud API method it serves.
//
// Transcribed by hand from Google's REST reference pages ("Authorization scopes"), each entry citing the page
// it was read from (read 2026-12-01 through the search tool's stored copies). Where no REST page with a readable
// scope list was found, the entry cites the Discovery document it was transcribed from instead (`via`).
// This table is deliberately NOT read from vendor/google-discovery/methods.json (the mock uses that file only to
// match URLs) nor from the app's evidence files: test/mock-fidelity/authorization-table.test.ts compares it with
// the app's union of sources and fails on any difference, so a wrong entry on either side surfaces as a failing
// test instead of silent agreement.

const A = 'https://www.googleapis.com/auth/';
const CP = `${A}cloud-platform`;
const CPRO = `${A}cloud-platform.read-only`;

export interface AuthorizationEntry {
  /** Each scope authorizes the method by itself. */
  readonly scopes: readonly string[];
  /** Where the list was transcribed from. */
  readonly via: { readonly kind: 'rest-reference' | 'discovery'; readonly cite: string };
}

const rest = (cite: string, ...scopes: string[]): AuthorizationEntry => ({
  scopes,
  via: { kind: 'rest-reference', cite },
});
const disc = (cite: string, ...scopes: string[]): AuthorizationEntry => ({ scopes, via: { kind: 'discovery', cite } });

const DART = 'google/googleapis.dart discovery/googleapis';
const CRM_V3 = `${DART}/cloudresourcemanager__v3.json rev 20260218 (REST page scope list not readable in the corpus)`;
const COMPUTE = 'googleapis/google-api-dotnet-client DiscoveryJson/compute.v1.json rev 20260908 (no REST page found)';
const STORAGE = `${DART}/storage__v1.json rev 20260408 (no REST page found)`;

// Scope lists the same page or document gives for several methods, spelled once.
const CRM_PROJECT_READ = [CP, CPRO, `${A}cloudplatformprojects`, `${A}cloudplatformprojects.readonly`];
const COMPUTE_READ = [CP, `${A}compute`, `${A}compute.readonly`];
const STORAGE_READ = [CP, CPRO, `${A}devstorage.full_control`, `${A}devstorage.read_only`, `${A}devstorage.read_write`];

export const AUTHORIZATION: Readonly<Record<string, AuthorizationEntry>> = {
  'cloudresourcemanager:v3:projects.search': disc(CRM_V3, CP, CPRO),
  'cloudresourcemanager:v3:projects.list': disc(CRM_V3, CP, CPRO),
  'cloudresourcemanager:v3:projects.get': rest(
    'https://cloud.google.com/resource-manager/reference/rest/v3/projects/get',
    ...CRM_PROJECT_READ,
  ),
  'cloudresourcemanager:v3:projects.getIamPolicy': rest(
    'https://cloud.Google.com/resource-manager/reference/rest/v3/projects/getIamPolicy',
    ...CRM_PROJECT_READ,
  ),
  'cloudresourcemanager:v3:organizations.search': disc(CRM_V3, CP, CPRO),
  'cloudresourcemanager:v3:folders.list': disc(CRM_V3, CP, CPRO),

  'compute:v1:instances.aggregatedList': disc(COMPUTE, ...COMPUTE_READ),
  'compute:v1:instances.list': disc(COMPUTE, ...COMPUTE_READ),
  'compute:v1:instances.get': disc(COMPUTE, ...COMPUTE_READ),
  'compute:v1:instances.stop': disc(COMPUTE, CP, `${A}compute`),
  'compute:v1:instances.start': disc(COMPUTE, CP, `${A}compute`),
  'compute:v1:zones.list': disc(COMPUTE, ...COMPUTE_READ),
  'compute:v1:zoneOperations.get': disc(COMPUTE, ...COMPUTE_READ),

  'storage:v1:buckets.list': disc(STORAGE, ...STORAGE_READ),
  'storage:v1:buckets.get': disc(STORAGE, ...STORAGE_READ),
  'storage:v1:objects.list': disc(STORAGE, ...STORAGE_READ),

  'logging:v2:entries.list': disc(
    `${DART}/logging__v2.json rev 20260328 (REST page scope list not readable)`,
    CP,
    CPRO,
    `${A}logging.admin`,
    `${A}logging.read`,
  ),
  'logging:v2:entries.write': disc(
    'Discovery method JSON in google-api-go-client logging ("logging.entries.write"; REST page scope list not readable)',
    CP,
    `${A}logging.admin`,
    `${A}logging.write`,
  ),

  'iam:v1:projects.serviceAccounts.list': rest(
    'https://cloud.google.com/iam/reference/rest/v1/projects.serviceAccounts/list?authuser=1',
    `${A}iam`,
    CP,
  ),
  'iam:v1:projects.serviceAccounts.keys.list': rest(
    'https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys/list?authuser=1',
    `${A}iam`,
    CP,
  ),
  'iam:v1:projects.serviceAccounts.get': rest(
    'https://cloud.google.com/iam/reference/rest/v1/projects.serviceAccounts/get',
    `${A}iam`,
    CP,
  ),

  'run:v2:projects.locations.services.list': disc(
    `${DART}/run__v2.json rev 20260403 (no REST page found)`,
    CP,
    `${A}run`,
    `${A}run.readonly`,
  ),
  'run:v2:projects.locations.services.getIamPolicy': rest(
    'https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services/getIamPolicy (last updated 2024-04-22, read 2026-12-01)',
    CP,
  ),

  'monitoring:v3:projects.timeSeries.list': disc(
    `${DART}/monitoring__v3.json rev 20260129`,
    CP,
    `${A}monitoring`,
    `${A}monitoring.read`,
  ),
  'bigquery:v2:datasets.list': disc(`${DART}/bigquery__v2.json rev 20260314`, `${A}bigquery`, CP, CPRO),
  'oauth2:v2:userinfo.get': disc(
    `${DART}/oauth2__v2.json rev 20200213`,
    'openid',
    `${A}userinfo.email`,
    `${A}userinfo.profile`,
  ),

  'workflows:v1:projects.locations.workflows.list': disc(
    `${DART}/workflows__v1.json rev 20220511 (REST page scope list not readable)`,
    CP,
  ),
  'workflows:v1:projects.locations.workflows.get': disc(
    `${DART}/workflows__v1.json rev 20220511 (no REST page found)`,
    CP,
  ),
};

/** Scopes only the REST reference declares (not in any Discovery auth map); no Google description was found. */
export const REST_ONLY_SCOPES: readonly string[] = [
  `${A}iam`,
  `${A}cloudplatformprojects`,
  `${A}cloudplatformprojects.readonly`,
];

/** The scopes that authorize a method per this table; undefined when the table does not know the method. */
export function authorizedScopes(methodKey: string): readonly string[] | undefined {
  return Object.hasOwn(AUTHORIZATION, methodKey) ? AUTHORIZATION[methodKey]?.scopes : undefined;
}

export interface AuthorizationDifference {
  readonly method: string;
  readonly onlyInMock: readonly string[];
  readonly onlyInOther: readonly string[];
}

/**
 * Compares the mock's table with another table (e.g. the app's union of sources), over the methods both know
 * plus those only one of them knows. Order does not matter. Empty when they agree.
 */
export function diffAuthorization(
  mock: Readonly<Record<string, { readonly scopes: readonly string[] }>>,
  other: Readonly<Record<string, readonly string[]>>,
): AuthorizationDifference[] {
  const out: AuthorizationDifference[] = [];
  const methods = [...new Set([...Object.keys(mock), ...Object.keys(other)])].sort();
  for (const method of methods) {
    const a = Object.hasOwn(mock, method) ? (mock[method]?.scopes ?? []) : [];
    const b = Object.hasOwn(other, method) ? (other[method] ?? []) : [];
    const onlyInMock = a.filter((s) => !b.includes(s));
    const onlyInOther = b.filter((s) => !a.includes(s));
    if (
      onlyInMock.length > 0 ||
      onlyInOther.length > 0 ||
      !Object.hasOwn(mock, method) ||
      !Object.hasOwn(other, method)
    ) {
      out.push({ method, onlyInMock, onlyInOther });
    }
  }
  return out;
}
