// VMs: a project's Compute Engine instances across zones, and starting or stopping one (a separate feature,
// asked only when the power buttons are first used, so viewing never holds write access).
import { z } from 'zod';
import {
  listInstancesAggregated,
  startInstance,
  stopInstance,
  type FlatInstance,
  type Operation,
} from '../../google/index.js';
import { ids } from '../../google/ids.js';
import { actions, code, lastSegment, status, text, withQuery } from '../cells.js';
import type { ActionSpec } from '../spec.js';
import { type Column, projectListPage } from './project-field.js';
import { OPERATION_PAGE } from './vm-operation.js';

/** The VM table: name, zone, status, machine type, and the stop or start link. */
export const vmColumns: readonly Column<FlatInstance>[] = [
  { header: 'Name', cell: (i) => code(i.name) },
  { header: 'Zone', cell: (i) => text(i.zone) },
  { header: 'Status', cell: (i) => status(i.status ?? 'UNKNOWN') },
  { header: 'Machine type', cell: (i) => text(lastSegment(i.machineType)) },
  {
    header: 'Actions',
    cell: (i, project) => {
      const action = i.status === 'RUNNING' ? 'stop' : 'start';
      return actions({
        href: withQuery('/vms/power', { project, zone: i.zone, instance: i.name, action }),
        label: `${action === 'stop' ? 'Stop' : 'Start'} ${i.name}`,
      });
    },
  },
];

export const vmsPage = projectListPage({
  feature: 'vms',
  intro: 'Compute Engine instances of a project, across all zones.',
  noun: 'VM instances',
  columns: vmColumns,
  list: async (google, project, pageToken) => {
    const out = await listInstancesAggregated(google, { project, pageToken, maxResults: 100 });
    return {
      items: out.instances,
      nextPageToken: out.nextPageToken,
      ...(out.unreachable?.length
        ? { notices: [`Google could not reach these zones: ${out.unreachable.join(', ')}. Their VMs are not listed.`] }
        : {}),
    };
  },
});

const powerInput = z.object({
  project: ids.project,
  zone: ids.zone,
  instance: ids.instance,
  action: z.enum(['stop', 'start'], { error: 'expected stop or start' }),
});
type Power = z.infer<typeof powerInput>;
const verb = (p: Power) => (p.action === 'stop' ? 'Stop' : 'Start');
const backToVms = (p: Power) => withQuery('/vms', { project: p.project });

export const vmPowerAction: ActionSpec<Power, Operation> = {
  kind: 'action',
  feature: 'vm-power',
  route: '/vms/power',
  input: powerInput,
  confirm: (p) => ({
    view: 'vm-power',
    data: {
      title: `${verb(p)} ${p.instance}`,
      verb: verb(p),
      ...p,
      explanation:
        p.action === 'stop'
          ? 'Stopping shuts the VM down; anything running on it stops. You can start it again later.'
          : 'Starting boots the VM; it is billed while it runs.',
      danger: p.action === 'stop',
      cancelHref: backToVms(p),
    },
  }),
  act: (google, p) =>
    (p.action === 'stop' ? stopInstance : startInstance)(google, {
      project: p.project,
      zone: p.zone,
      instance: p.instance,
    }),
  // The operation gets a page of its own that follows it until Google reports it done.
  done: (p, op) => ({
    redirect: withQuery(OPERATION_PAGE, {
      project: p.project,
      zone: p.zone,
      instance: p.instance,
      operation: op.name,
      action: p.action,
    }),
  }),
  audit: {
    event: 'feature-action',
    fields: (p) => ({ action: p.action, project: p.project, zone: p.zone, instance: p.instance }),
    result: (op) => ({ result: op.status ?? 'UNKNOWN', operation: op.name }),
  },
};
