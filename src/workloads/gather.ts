/**
 * The I/O edge of the workload-identity sections: the Google calls each section needs, paged and bounded, with
 * per-item failures turned into a short reason (and project-level ones left to `outcomeFromError`). Every
 * function takes the caller's `GoogleCallContext` (token, base URL) and holds no state.
 */
import type { GoogleCallContext } from '../google/call.js';
import { listInstancesAggregated, type FlatInstance } from '../google/compute.js';
import { isGoogleApiError, type GoogleApiError } from '../google/errors.js';
import { listServiceAccountKeys, listServiceAccounts } from '../google/iam.js';
import { getServiceIamPolicy, listServices } from '../google/run.js';
import { getWorkflow, listWorkflows } from '../google/workflows.js';
import type { AccountKeysInput } from './keys.js';
import { parseServiceName, POLICIES_NOT_CHECKED, type RunServiceInput } from './cloud-run.js';
import { parseWorkflowName, type WorkflowInput } from './workflows.js';

export interface GatherLimits {
  /** Most items (instances, services, accounts, workflows) read per section; beyond it the list is cut and noted. */
  readonly maxItems: number;
  /** Parallel follow-up calls (one per service, account or workflow). */
  readonly concurrency: number;
}

export const DEFAULT_GATHER_LIMITS: GatherLimits = { maxItems: 500, concurrency: 4 };

export interface Gathered<T> {
  readonly items: T[];
  /** Regions skipped because Google does not serve the API there (400/404 for the location). */
  readonly skippedRegions: readonly string[];
  readonly truncated: boolean;
}

/** Errors that concern the whole section (token, scope, API disabled, IAM, project): never swallowed per item. */
function isSectionWide(err: GoogleApiError): boolean {
  return (
    err.code === 'UNAUTHENTICATED' ||
    err.code === 'SCOPE_INSUFFICIENT' ||
    (err.code === 'PERMISSION_DENIED' && (err.reason === 'SERVICE_DISABLED' || err.reason === 'accessNotConfigured'))
  );
}

/** A short, safe reason for a per-item failure (never Google's message). */
export function problemOf(err: unknown): string {
  if (!isGoogleApiError(err)) return 'unexpected error';
  switch (err.code) {
    case 'PERMISSION_DENIED':
      return 'permission denied';
    case 'NOT_FOUND':
      return 'not found';
    case 'RATE_LIMITED':
      return 'rate limited by Google';
    case 'TIMEOUT':
    case 'NETWORK':
    case 'UNAVAILABLE':
      return 'Google did not answer';
    default:
      return err.code.toLowerCase().replace(/_/g, ' ');
  }
}

async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return out;
}

/** Per item: rethrow section-wide errors, keep the reason of the others. */
async function settle<R>(call: () => Promise<R>): Promise<{ value: R } | { problem: string }> {
  try {
    return { value: await call() };
  } catch (err) {
    if (isGoogleApiError(err) && isSectionWide(err)) throw err;
    if (!isGoogleApiError(err)) throw err;
    return { problem: problemOf(err) };
  }
}

/** A location the API does not serve answers 400 or 404; such regions are skipped and noted, not fatal. */
function isRegionUnavailable(err: unknown): boolean {
  return (
    isGoogleApiError(err) &&
    (err.code === 'INVALID_ARGUMENT' || (err.code === 'NOT_FOUND' && /location/i.test(err.message)))
  );
}

/** One page of a list call: its items and the token of the next page, if any. */
interface Page<T> {
  items: readonly T[];
  nextPageToken?: string | undefined;
}

/**
 * Reads pages into `into` until the API has no more or `into` holds `maxItems` (the last page may overshoot).
 * Returns the token of the first page not read: undefined when everything was.
 */
async function listPages<T>(
  into: T[],
  maxItems: number,
  listPage: (pageToken: string | undefined) => Promise<Page<T>>,
): Promise<string | undefined> {
  let pageToken: string | undefined;
  do {
    const page = await listPage(pageToken);
    into.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken && into.length < maxItems);
  return pageToken;
}

export async function gatherVms(
  ctx: GoogleCallContext,
  projectId: string,
  limits: GatherLimits = DEFAULT_GATHER_LIMITS,
): Promise<Gathered<FlatInstance> & { unreachableZones: string[] }> {
  const items: FlatInstance[] = [];
  const unreachable = new Set<string>();
  const pageToken = await listPages(items, limits.maxItems, async (pageToken) => {
    const page = await listInstancesAggregated(ctx, { project: projectId, pageToken, maxResults: 500 });
    for (const z of page.unreachable ?? []) unreachable.add(z);
    return { items: page.instances, nextPageToken: page.nextPageToken };
  });
  return {
    items: items.slice(0, limits.maxItems),
    skippedRegions: [],
    truncated: items.length > limits.maxItems || pageToken !== undefined,
    unreachableZones: [...unreachable],
  };
}

/**
 * Lists a regional collection region by region, page by page, up to `limits.maxItems`. A region the API says is
 * unavailable is skipped (and named), any other error propagates; `truncated` says whether anything was left.
 */
async function listAcrossRegions<T>(
  regions: readonly string[],
  limits: GatherLimits,
  listPage: (region: string, pageToken: string | undefined) => Promise<Page<T>>,
): Promise<{ items: T[]; skippedRegions: string[]; truncated: boolean }> {
  const listed: T[] = [];
  const skippedRegions: string[] = [];
  let truncated = false;
  for (const region of regions) {
    // Stays undefined when the region fails; it is not needed then: a page is only asked for below maxItems.
    let pageToken: string | undefined;
    try {
      pageToken = await listPages(listed, limits.maxItems, (token) => listPage(region, token));
    } catch (err) {
      if (!isRegionUnavailable(err)) throw err;
      skippedRegions.push(region);
    }
    if (listed.length >= limits.maxItems) {
      truncated = listed.length > limits.maxItems || pageToken !== undefined || region !== regions[regions.length - 1];
      break;
    }
  }
  return { items: listed.slice(0, limits.maxItems), skippedRegions, truncated };
}

/**
 * `withPolicies: false` reads identities only (services.list, which run.readonly allows) and leaves who may invoke
 * unchecked: getIamPolicy needs cloud-platform, which the admin grants separately.
 */
export async function gatherRunServices(
  ctx: GoogleCallContext,
  projectId: string,
  regions: readonly string[],
  limits: GatherLimits = DEFAULT_GATHER_LIMITS,
  withPolicies = true,
): Promise<Gathered<RunServiceInput>> {
  const listed = await listAcrossRegions(regions, limits, async (region, pageToken) => {
    const page = await listServices(ctx, { projectId, region, pageToken, pageSize: 100 });
    return { items: page.services, nextPageToken: page.nextPageToken };
  });
  if (!withPolicies)
    return { ...listed, items: listed.items.map((service) => ({ service, policyProblem: POLICIES_NOT_CHECKED })) };
  const items = await mapLimit(listed.items, limits.concurrency, async (service): Promise<RunServiceInput> => {
    const { region, service: name } = parseServiceName(service.name);
    const got = await settle(() => getServiceIamPolicy(ctx, { projectId, region, service: name }));
    return 'value' in got ? { service, policy: got.value } : { service, policyProblem: got.problem };
  });
  return { ...listed, items };
}

export async function gatherServiceAccountKeys(
  ctx: GoogleCallContext,
  projectId: string,
  limits: GatherLimits = DEFAULT_GATHER_LIMITS,
): Promise<Gathered<AccountKeysInput>> {
  const accounts: { email: string; disabled?: boolean | undefined }[] = [];
  const pageToken = await listPages(accounts, limits.maxItems, async (pageToken) => {
    const page = await listServiceAccounts(ctx, { projectId, pageToken, pageSize: 100 });
    return { items: page.accounts, nextPageToken: page.nextPageToken };
  });
  const kept = accounts.slice(0, limits.maxItems);
  const items = await mapLimit(kept, limits.concurrency, async (account): Promise<AccountKeysInput> => {
    // Only user-managed keys matter, and Google filters them server-side.
    const got = await settle(() =>
      listServiceAccountKeys(ctx, { projectId, serviceAccountEmail: account.email, keyTypes: ['USER_MANAGED'] }),
    );
    return 'value' in got ? { account, keys: got.value.keys } : { account, keysProblem: got.problem };
  });
  return { items, skippedRegions: [], truncated: accounts.length > limits.maxItems || pageToken !== undefined };
}

export async function gatherWorkflows(
  ctx: GoogleCallContext,
  projectId: string,
  regions: readonly string[],
  limits: GatherLimits = DEFAULT_GATHER_LIMITS,
): Promise<Gathered<WorkflowInput>> {
  const listed = await listAcrossRegions(regions, limits, async (region, pageToken) => {
    const page = await listWorkflows(ctx, { projectId, region, pageToken, pageSize: 100 });
    return { items: page.workflows, nextPageToken: page.nextPageToken };
  });
  // The list may leave the source out; then one get per workflow fetches it.
  const items = await mapLimit(listed.items, limits.concurrency, async (workflow): Promise<WorkflowInput> => {
    if (workflow.sourceContents !== undefined) return { workflow };
    const { region, workflow: id } = parseWorkflowName(workflow.name);
    const got = await settle(() => getWorkflow(ctx, { projectId, region, workflowId: id }));
    return 'value' in got ? { workflow: got.value } : { workflow, sourceProblem: got.problem };
  });
  return { ...listed, items };
}
