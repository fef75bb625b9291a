/** Compute Engine v1: aggregated instance list, instance stop/start. */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { nextPage } from './paging.js';
import {
  checkInstanceName,
  checkOperationName,
  checkPageSize,
  checkPageToken,
  checkProjectId,
  checkZone,
} from './ids.js';

export const InstanceServiceAccountSchema = z.looseObject({
  email: z.string(),
  /** Access scopes, full URIs. */
  scopes: z.array(z.string()).optional(),
});
export type InstanceServiceAccount = z.infer<typeof InstanceServiceAccountSchema>;

export const InstanceSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  /** Full URL of the zone in Google's answer; see `FlatInstance.zone` for the short name. */
  zone: z.string().optional(),
  status: z.string().optional(),
  statusMessage: z.string().optional(),
  machineType: z.string().optional(),
  creationTimestamp: z.string().optional(),
  lastStartTimestamp: z.string().optional(),
  lastStopTimestamp: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  selfLink: z.string().optional(),
  /** The attached service account (at most one) and the instance's access scopes; absent when none is attached. */
  serviceAccounts: z.array(InstanceServiceAccountSchema).optional(),
});
export type Instance = z.infer<typeof InstanceSchema>;

/** An instance from the aggregated list, `zone` being the short zone name (e.g. `us-central1-a`). */
export type FlatInstance = Instance & { zone: string; zoneUrl?: string };

const WarningSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
});

const InstancesScopedListSchema = z.looseObject({
  instances: z.array(InstanceSchema).optional(),
  warning: WarningSchema.optional(),
});

export const AggregatedInstanceListSchema = z.looseObject({
  items: z.record(z.string(), InstancesScopedListSchema).optional(),
  nextPageToken: z.string().optional(),
  unreachables: z.array(z.string()).optional(),
  warning: WarningSchema.optional(),
});
export type AggregatedInstanceList = z.infer<typeof AggregatedInstanceListSchema>;

export interface ListInstancesAggregatedParams {
  project: string;
  pageToken?: string | undefined;
  /** 1..500 */
  maxResults?: number | undefined;
}

export interface ListInstancesAggregatedResult {
  instances: FlatInstance[];
  nextPageToken?: string;
  /** Short names of zones Google could not reach for this page. */
  unreachable?: string[];
}

function shortScopeName(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash >= 0 ? key.slice(slash + 1) : key;
}

/**
 * Pure: the aggregated `items` map (`zones/<zone>` → `{ instances }` or `{ warning }`) as one flat list.
 * `NO_RESULTS_ON_PAGE` warnings are the normal "nothing in this zone" and vanish; `UNREACHABLE` ones (and the
 * top-level `unreachables`) are reported as unreachable zones.
 */
export function flattenAggregatedInstances(answer: AggregatedInstanceList): ListInstancesAggregatedResult {
  const instances: FlatInstance[] = [];
  const unreachable = new Set<string>();
  for (const [key, scoped] of Object.entries(answer.items ?? {})) {
    if (!key.startsWith('zones/')) continue;
    const zone = key.slice('zones/'.length);
    if (scoped.warning?.code === 'UNREACHABLE') unreachable.add(zone);
    for (const instance of scoped.instances ?? []) {
      instances.push({ ...instance, zone, ...(instance.zone !== undefined ? { zoneUrl: instance.zone } : {}) });
    }
  }
  for (const scope of answer.unreachables ?? []) unreachable.add(shortScopeName(scope));
  return {
    instances,
    ...nextPage(answer),
    ...(unreachable.size > 0 ? { unreachable: [...unreachable] } : {}),
  };
}

/** `GET projects/{project}/aggregated/instances`, flattened. */
export async function listInstancesAggregated(
  ctx: GoogleCallContext,
  params: ListInstancesAggregatedParams,
): Promise<ListInstancesAggregatedResult> {
  const answer = await callEndpoint(ctx, 'compute:v1:instances.aggregatedList', {
    pathParams: { project: checkProjectId(params.project, 'project') },
    query: {
      maxResults: checkPageSize(params.maxResults, 500, 'maxResults'),
      pageToken: checkPageToken(params.pageToken),
    },
    schema: AggregatedInstanceListSchema,
  });
  return flattenAggregatedInstances(answer);
}

export const OperationSchema = z.looseObject({
  name: z.string(),
  id: z.string().optional(),
  kind: z.string().optional(),
  operationType: z.string().optional(),
  status: z.string().optional(),
  progress: z.number().optional(),
  targetLink: z.string().optional(),
  targetId: z.string().optional(),
  zone: z.string().optional(),
  user: z.string().optional(),
  insertTime: z.string().optional(),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  selfLink: z.string().optional(),
  error: z
    .looseObject({
      errors: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })).optional(),
    })
    .optional(),
});
export type Operation = z.infer<typeof OperationSchema>;

export interface InstanceRef {
  project: string;
  zone: string;
  instance: string;
}

function instancePathParams(params: InstanceRef): Record<string, string> {
  return {
    project: checkProjectId(params.project, 'project'),
    zone: checkZone(params.zone),
    instance: checkInstanceName(params.instance),
  };
}

/** `POST .../instances/{instance}/stop`. Not idempotent: never retried. */
export async function stopInstance(ctx: GoogleCallContext, params: InstanceRef): Promise<Operation> {
  return callEndpoint(ctx, 'compute:v1:instances.stop', {
    pathParams: instancePathParams(params),
    schema: OperationSchema,
  });
}

/** `POST .../instances/{instance}/start`. Not idempotent: never retried. */
export async function startInstance(ctx: GoogleCallContext, params: InstanceRef): Promise<Operation> {
  return callEndpoint(ctx, 'compute:v1:instances.start', {
    pathParams: instancePathParams(params),
    schema: OperationSchema,
  });
}

/** `GET .../instances/{instance}`: one instance (its status after an operation). */
export async function getInstance(ctx: GoogleCallContext, params: InstanceRef): Promise<Instance> {
  return callEndpoint(ctx, 'compute:v1:instances.get', {
    pathParams: instancePathParams(params),
    schema: InstanceSchema,
  });
}

export interface ZoneOperationRef {
  project: string;
  zone: string;
  operation: string;
}

/**
 * `GET .../zones/{zone}/operations/{operation}`: where a stop or start stands (PENDING, RUNNING, DONE). Polled
 * with backoff rather than `zoneOperations.wait`, which holds the request open for up to two minutes
 * (https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/wait, read 2026-12-01).
 */
export async function getZoneOperation(ctx: GoogleCallContext, params: ZoneOperationRef): Promise<Operation> {
  return callEndpoint(ctx, 'compute:v1:zoneOperations.get', {
    pathParams: {
      project: checkProjectId(params.project, 'project'),
      zone: checkZone(params.zone),
      operation: checkOperationName(params.operation),
    },
    schema: OperationSchema,
  });
}
