// A VM stop or start, followed until Google reports it done: the operation's page (a GET of its own, so a reload
// never sends the stop again) and the JSON its script polls. Both read the operation with zoneOperations.get and,
// once it is DONE, the VM's new state with instances.get, holding the vm-power feature's own scope (compute).
// Without JavaScript the page reloads itself (a meta refresh inside <noscript>) until the operation is done.
import { z } from 'zod';
import {
  getInstance,
  getZoneOperation,
  GoogleApiError,
  type GoogleCallContext,
  type Operation,
} from '../../google/index.js';
import { ids } from '../../google/ids.js';
import { formatDateTime, formatRelative, type LocaleContext } from '../../web/time.js';
import type { VmOperationView } from '../../web/views.js';
import { withQuery } from '../cells.js';
import type { JsonSpec, ViewPageSpec } from '../spec.js';

export const operationInput = z.object({
  project: ids.project,
  zone: ids.zone,
  instance: ids.instance,
  operation: ids.operation,
  action: z.enum(['stop', 'start'], { error: 'expected stop or start' }),
});
export type OperationQuery = z.infer<typeof operationInput>;

export const OPERATION_PAGE = '/vms/operation';
export const OPERATION_API = '/api/vms/operation';

const STEPS = ['PENDING', 'RUNNING', 'DONE'] as const;
const STEP_LABEL: Record<(typeof STEPS)[number], string> = {
  PENDING: 'Requested',
  RUNNING: 'In progress',
  DONE: 'Done',
};

/** How soon a page without JavaScript reloads: often at first, then less (real stops take 30–90 s). */
export function refreshAfterSeconds(elapsedMs: number): number {
  if (elapsedMs < 20_000) return 2;
  if (elapsedMs < 60_000) return 5;
  return 10;
}

/** The badge a VM status gets (the design system's badge modifiers): never colour alone, the word is shown too. */
export function vmStatusTone(status: string | undefined): 'ok' | 'warn' | 'neutral' | 'danger' {
  switch (status) {
    case 'RUNNING':
      return 'ok';
    case 'TERMINATED':
    case 'STOPPED':
    case 'SUSPENDED':
      return 'neutral';
    case 'STOPPING':
    case 'STAGING':
    case 'PROVISIONING':
    case 'SUSPENDING':
    case 'REPAIRING':
      return 'warn';
    default:
      return 'danger';
  }
}

export interface OperationState {
  op: Operation;
  /** The VM as Google reads it once the operation is done (undefined before, or when it could not be read). */
  vmStatus?: string | undefined;
  vmReadError?: string | undefined;
}

/** Everything the page and its script show about an operation, worded once (pure). */
export function describeOperation(
  q: OperationQuery,
  state: OperationState,
  ctx: LocaleContext,
  now: number,
): VmOperationView {
  const { op } = state;
  const status = op.status ?? 'PENDING';
  const done = status === 'DONE';
  const errors = (op.error?.errors ?? []).map((e) => e.message ?? e.code ?? 'unknown error');
  const failed = done && errors.length > 0;
  const inserted = op.insertTime ? Date.parse(op.insertTime) : Number.NaN;
  const elapsedMs = Number.isFinite(inserted) ? Math.max(0, now - inserted) : 0;
  const stepIndex = Math.max(0, STEPS.indexOf(status as (typeof STEPS)[number]));
  const verbing = q.action === 'stop' ? 'stopping' : 'starting';
  let statusText: string;
  if (!done)
    statusText =
      status === 'PENDING'
        ? `Google has queued the ${q.action} of ${q.instance}.`
        : `Google is ${verbing} ${q.instance}.`;
  else if (failed) statusText = `Google could not ${q.action} ${q.instance}: ${errors.join('; ')}`;
  else statusText = `Google has finished ${verbing} ${q.instance}.`;
  let resultText: string | undefined;
  if (done && !failed)
    resultText = state.vmStatus
      ? `${q.instance} is now ${state.vmStatus}.`
      : `The new state of ${q.instance} could not be read${state.vmReadError ? ` (${state.vmReadError})` : ''}: see the VM list.`;
  const selfHref = withQuery(OPERATION_PAGE, q);
  return {
    title: `${q.action === 'stop' ? 'Stop' : 'Start'} ${q.instance}`,
    verb: q.action === 'stop' ? 'Stop' : 'Start',
    instance: q.instance,
    project: q.project,
    zone: q.zone,
    operationName: op.name,
    status,
    done,
    failed,
    statusText,
    resultText,
    vmStatus: state.vmStatus,
    vmTone: vmStatusTone(state.vmStatus),
    steps: STEPS.map((s, i) => ({
      label: STEP_LABEL[s],
      state: done || i < stepIndex ? 'done' : i === stepIndex ? 'current' : 'todo',
    })),
    timeZone: ctx.timeZone,
    startedAt: Number.isFinite(inserted) ? formatDateTime(inserted, ctx) : undefined,
    startedAgo: Number.isFinite(inserted) ? formatRelative(inserted, now, ctx.locale) : undefined,
    refreshSeconds: done ? undefined : refreshAfterSeconds(elapsedMs),
    selfHref,
    pollUrl: withQuery(OPERATION_API, q),
    backHref: withQuery('/vms', { project: q.project }),
  };
}

/** Reads the operation, and the VM once the operation is done. */
export async function readOperation(google: GoogleCallContext, q: OperationQuery): Promise<OperationState> {
  const op = await getZoneOperation(google, { project: q.project, zone: q.zone, operation: q.operation });
  if (op.status !== 'DONE') return { op };
  try {
    const vm = await getInstance(google, { project: q.project, zone: q.zone, instance: q.instance });
    return { op, vmStatus: vm.status };
  } catch (err) {
    // The operation's outcome stands even when the VM cannot be read (deleted meanwhile, a transient error).
    if (err instanceof GoogleApiError && err.code !== 'UNAUTHENTICATED' && err.code !== 'SCOPE_INSUFFICIENT')
      return { op, vmReadError: err.message };
    throw err;
  }
}

export const vmOperationPage: ViewPageSpec<OperationQuery> = {
  kind: 'view',
  feature: 'vm-power',
  route: OPERATION_PAGE,
  input: operationInput,
  async load({ q }, env) {
    const state = await env.google((g) => readOperation(g, q));
    const view = describeOperation(q, state, env.locale, env.now);
    return { view: 'vm-operation', data: view, refreshSeconds: view.refreshSeconds };
  },
};

/** What the page's script reads: the same words as the page, so the two never disagree. */
export const vmOperationApi: JsonSpec<OperationQuery> = {
  kind: 'json',
  feature: 'vm-power',
  route: OPERATION_API,
  input: operationInput,
  async load(google, q, env) {
    const v = describeOperation(q, await readOperation(google, q), env.locale, env.now);
    return {
      status: v.status,
      done: v.done,
      failed: v.failed,
      statusText: v.statusText,
      resultText: v.resultText ?? null,
      vmStatus: v.vmStatus ?? null,
      vmTone: v.vmTone,
      steps: v.steps,
    };
  },
};
