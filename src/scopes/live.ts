/**
 * The live check (pure part): no data file can settle what Google accepts; a call can. For each method, a probe
 * says how to call it so that nothing changes (reads as they are, with harmless parameters; writes on a
 * resource name that cannot exist), and `classifyLiveAnswer` turns Google's answer into
 *   accepted           — anything but an insufficient-scope refusal: 2xx, 404, 400, IAM PERMISSION_DENIED…
 *                        (Google checks the token's scope before it looks at the resource or the caller's IAM);
 *   refused-for-scope  — ACCESS_TOKEN_SCOPE_INSUFFICIENT / insufficientPermissions / error="insufficient_scope";
 *   unknown            — no answer, 5xx, 429, timeout, an unusable token (401): nothing can be concluded.
 * The runner that makes the calls is src/features/live-check.ts (it does I/O; this module stays pure).
 */
import type { Discovery, MethodId } from './discovery.js';
import { liveEvidenceSchema, type LiveEvidence } from './evidence.js';
import { isIdentityScope, shortScope } from './scope-names.js';

export type LiveOutcome = 'accepted' | 'refused-for-scope' | 'unknown';

/** What the probe needs from the admin: a project to read in (and a region/zone where the method needs one). */
export interface ProbeContext {
  readonly project: string;
  /** Default `us-central1`. */
  readonly region?: string;
  /** Default `us-central1-a`. */
  readonly zone?: string;
}

export interface Probe {
  readonly methodId: MethodId;
  readonly httpMethod: 'GET' | 'POST';
  /** Values for the Discovery flat path's `{placeholders}`. */
  readonly pathParams: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Why this call changes nothing, for the people reading the result. */
  readonly harmless: string;
}

/**
 * A name no real resource can have (GCE names: lower-case, ≤ 63 characters): write probes target it, so Google
 * answers 404 (or an IAM refusal) after the scope check and before anything could change.
 */
export const NONEXISTENT_NAME = 'scopewise-live-check-does-not-exist';

type ProbeSpec = (c: Required<ProbeContext>) => Omit<Probe, 'methodId'>;

const read = (
  pathParams: Record<string, string>,
  query: Record<string, string> = {},
  harmless = 'a read with a page size of 1',
): Omit<Probe, 'methodId'> => ({
  httpMethod: 'GET',
  pathParams,
  query,
  harmless,
});

/** How to call each method harmlessly. A method without a spec is reported as `unknown` ("no probe"). */
export const PROBES: Readonly<Record<MethodId, ProbeSpec>> = {
  'cloudresourcemanager:v3:projects.search': (c) => read({}, { query: `id:${c.project}`, pageSize: '1' }),
  'cloudresourcemanager:v3:projects.get': (c) => read({ projectsId: c.project }, {}, 'reads one project'),
  'cloudresourcemanager:v3:projects.getIamPolicy': (c) => ({
    httpMethod: 'POST',
    pathParams: { projectsId: c.project },
    query: {},
    body: {},
    harmless: "getIamPolicy only reads the policy (a POST by Google's design)",
  }),
  'compute:v1:instances.aggregatedList': (c) => read({ project: c.project }, { maxResults: '1' }),
  'compute:v1:instances.stop': (c) => ({
    httpMethod: 'POST',
    pathParams: { project: c.project, zone: c.zone, instance: NONEXISTENT_NAME },
    query: {},
    harmless: `stops an instance named ${NONEXISTENT_NAME}, which cannot exist: Google answers 404`,
  }),
  'compute:v1:instances.start': (c) => ({
    httpMethod: 'POST',
    pathParams: { project: c.project, zone: c.zone, instance: NONEXISTENT_NAME },
    query: {},
    harmless: `starts an instance named ${NONEXISTENT_NAME}, which cannot exist: Google answers 404`,
  }),
  'compute:v1:instances.get': (c) =>
    read(
      { project: c.project, zone: c.zone, instance: NONEXISTENT_NAME },
      {},
      `reads an instance named ${NONEXISTENT_NAME}, which cannot exist: Google answers 404`,
    ),
  'compute:v1:zoneOperations.get': (c) =>
    read(
      { project: c.project, zone: c.zone, operation: NONEXISTENT_NAME },
      {},
      `reads an operation named ${NONEXISTENT_NAME}, which cannot exist: Google answers 404`,
    ),
  'storage:v1:buckets.list': (c) => read({}, { project: c.project, maxResults: '1' }),
  'storage:v1:objects.list': () =>
    read(
      { bucket: NONEXISTENT_NAME },
      { maxResults: '1' },
      `lists a bucket named ${NONEXISTENT_NAME}, which does not exist: Google answers 404`,
    ),
  'logging:v2:entries.list': (c) => ({
    httpMethod: 'POST',
    pathParams: {},
    query: {},
    body: { resourceNames: [`projects/${c.project}`], pageSize: 1 },
    harmless: "entries.list only reads (a POST by Google's design), one entry",
  }),
  'run:v2:projects.locations.services.list': (c) =>
    read({ projectsId: c.project, locationsId: c.region }, { pageSize: '1' }),
  'run:v2:projects.locations.services.getIamPolicy': (c) =>
    read(
      { projectsId: c.project, locationsId: c.region, servicesId: NONEXISTENT_NAME },
      {},
      'reads the IAM policy of a service that does not exist: Google answers 404',
    ),
  'iam:v1:projects.serviceAccounts.list': (c) => read({ projectsId: c.project }, { pageSize: '1' }),
  'iam:v1:projects.serviceAccounts.keys.list': (c) =>
    read(
      { projectsId: c.project, serviceAccountsId: `${NONEXISTENT_NAME}@${c.project}.iam.gserviceaccount.com` },
      {},
      'lists the keys of a service account that does not exist: Google answers 404',
    ),
  'iam:v1:projects.serviceAccounts.get': (c) =>
    read(
      { projectsId: c.project, serviceAccountsId: `${NONEXISTENT_NAME}@${c.project}.iam.gserviceaccount.com` },
      {},
      'reads a service account that does not exist',
    ),
  'workflows:v1:projects.locations.workflows.list': (c) =>
    read({ projectsId: c.project, locationsId: c.region }, { pageSize: '1' }),
  'workflows:v1:projects.locations.workflows.get': (c) =>
    read(
      { projectsId: c.project, locationsId: c.region, workflowsId: NONEXISTENT_NAME },
      {},
      'reads a workflow that does not exist',
    ),
};

export function probeFor(methodId: MethodId, context: ProbeContext): Probe | undefined {
  const spec = Object.hasOwn(PROBES, methodId) ? PROBES[methodId] : undefined;
  if (!spec) return undefined;
  return { methodId, ...spec({ region: 'us-central1', zone: 'us-central1-a', ...context }) };
}

/** The parts of a Google error the classification looks at (see src/google/errors.ts `GoogleApiError`). */
export interface AnswerSummary {
  /** HTTP status; 0 when there was no HTTP answer. */
  readonly status: number;
  /** `GoogleApiError.code` for an error answer (e.g. SCOPE_INSUFFICIENT), undefined for 2xx. */
  readonly errorCode?: string | undefined;
  readonly reason?: string | undefined;
}

const UNKNOWN_CODES = new Set(['NETWORK', 'TIMEOUT', 'UNAVAILABLE', 'RATE_LIMITED', 'UNAUTHENTICATED', 'BAD_RESPONSE']);

export function classifyLiveAnswer(answer: AnswerSummary): LiveOutcome {
  if (answer.errorCode === 'SCOPE_INSUFFICIENT') return 'refused-for-scope';
  if (answer.status >= 200 && answer.status <= 299 && answer.errorCode === undefined) return 'accepted';
  if (answer.errorCode !== undefined && UNKNOWN_CODES.has(answer.errorCode)) return 'unknown';
  if (
    answer.status === 0 ||
    answer.status >= 500 ||
    answer.status === 401 ||
    answer.status === 429 ||
    answer.status === 408
  )
    return 'unknown';
  return 'accepted';
}

export interface LiveResult {
  readonly methodId: MethodId;
  readonly outcome: LiveOutcome;
  readonly status: number;
  readonly reason?: string;
  /** What happened, in words (never the token). */
  readonly detail: string;
  /** ISO timestamp of the call. */
  readonly checkedAt: string;
  /** The non-identity scopes the token held. */
  readonly scopesHeld: readonly string[];
}

/** `YYYY-MM-DD` of an ISO timestamp. */
function day(iso: string): string {
  return iso.slice(0, 10);
}

/** An aligned table for the CLI: METHOD / RESULT / HTTP / DATE / DETAIL. */
export function formatLiveTable(results: readonly LiveResult[]): string {
  const label: Record<LiveOutcome, string> = {
    accepted: '✓ accepted',
    'refused-for-scope': '✗ refused for scope',
    unknown: '? unknown',
  };
  const rows = [
    ['METHOD', 'RESULT', 'HTTP', 'DATE', 'DETAIL'],
    ...results.map((r) => [
      r.methodId,
      label[r.outcome],
      r.status === 0 ? '-' : String(r.status),
      day(r.checkedAt),
      r.detail,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const held = [...new Set(results.flatMap((r) => r.scopesHeld))].map(shortScope).join(' ') || '(none)';
  return [
    `Scopes held by the token: ${held}`,
    ...rows.map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    ),
  ].join('\n');
}

/**
 * The results as entries of `vendor/google-live/verified.json` ("verified live on <date>"), to commit as the third
 * evidence source. `unknown` results are left out (they prove nothing); `against` must be `google` for the entries
 * to count (the check ignores mock runs).
 */
export function exportLiveEvidence(
  results: readonly LiveResult[],
  against: string,
): { about: string; results: LiveEvidence[] } {
  const out: LiveEvidence[] = [];
  for (const r of results) {
    if (r.outcome === 'unknown') continue;
    out.push(
      liveEvidenceSchema.parse({
        method: r.methodId,
        scopesHeld: [...r.scopesHeld],
        outcome: r.outcome,
        status: r.status,
        ...(r.reason ? { reason: r.reason } : {}),
        verifiedOn: day(r.checkedAt),
        against,
      }),
    );
  }
  return {
    about: `Verified live on ${results[0] ? day(results[0].checkedAt) : '(no results)'} against ${against}.`,
    results: out,
  };
}

/** The methods worth probing for a set of features (deduplicated, catalogue order). */
export function methodsToVerify(
  features: readonly { readonly methods: readonly MethodId[] }[],
  data: Discovery,
): MethodId[] {
  const out: MethodId[] = [];
  for (const f of features)
    for (const m of f.methods) if (!out.includes(m) && Object.hasOwn(data.methods, m)) out.push(m);
  return out;
}

export function cloudScopes(granted: readonly string[]): string[] {
  return granted.filter((s) => !isIdentityScope(s));
}
