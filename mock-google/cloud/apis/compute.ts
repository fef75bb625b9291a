// compute v1: instances (aggregatedList, list, get, stop, start), zoneOperations.get and zones.list. Stops and
// starts are operations that take time (cloud/operations.ts).
import { ROLES_OPERATE_VMS, canSee, findProject, hasAnyRole } from '../access.js';
import { invalidArgument, legacyForbidden, notFound } from '../errors.js';
import { hexId, numericId, type CloudData, type Instance, type Project } from '../fixtures.js';
import { operationJson, settleOperations, startOperation } from '../operations.js';
import { nextPageField, pageSizeOf, paginate } from '../paging.js';
import type { ApiCall, HandlerTable } from '../types.js';

/** Google's own selfLinks point at www.googleapis.com, not at the mock. */
export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1/';
const RPC = 'compute.v1';

const regionOf = (zone: string) => zone.replace(/-[a-z]$/, '');

function zoneUrl(project: string, zone: string): string {
  return `${COMPUTE_BASE}projects/${project}/zones/${zone}`;
}

function serviceAccountsOf(i: Instance, project: Project): { email: string; scopes: string[] }[] {
  return (
    i.serviceAccounts ?? [
      {
        email: `${project.projectNumber}-compute@developer.gserviceaccount.com`,
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      },
    ]
  );
}

export function instanceJson(i: Instance, project: Project): Record<string, unknown> {
  const z = zoneUrl(i.project, i.zone);
  const fp = hexId(`fp/${i.id}`, 11);
  return {
    kind: 'compute#instance',
    id: i.id,
    creationTimestamp: i.creationTimestamp,
    name: i.name,
    tags: { fingerprint: '42WmSpB8rSM=' },
    machineType: `${z}/machineTypes/${i.machineType}`,
    status: i.status,
    zone: z,
    canIpForward: false,
    networkInterfaces: [
      {
        kind: 'compute#networkInterface',
        network: `${COMPUTE_BASE}projects/${i.project}/global/networks/default`,
        subnetwork: `${COMPUTE_BASE}projects/${i.project}/regions/${regionOf(i.zone)}/subnetworks/default`,
        networkIP: i.networkIP,
        name: 'nic0',
        ...(i.natIP
          ? {
              accessConfigs: [
                {
                  kind: 'compute#accessConfig',
                  type: 'ONE_TO_ONE_NAT',
                  name: 'External NAT',
                  natIP: i.natIP,
                  networkTier: 'PREMIUM',
                },
              ],
            }
          : {}),
        fingerprint: `${fp}=`,
        stackType: 'IPV4_ONLY',
      },
    ],
    disks: [
      {
        kind: 'compute#attachedDisk',
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        source: `${z}/disks/${i.name}`,
        deviceName: i.name,
        index: 0,
        boot: true,
        autoDelete: true,
        interface: 'SCSI',
        diskSizeGb: '10',
      },
    ],
    metadata: { kind: 'compute#metadata', fingerprint: 'cJg3Wv1jZuQ=' },
    // Like Google, no serviceAccounts field at all when none is attached.
    ...(serviceAccountsOf(i, project).length > 0 ? { serviceAccounts: serviceAccountsOf(i, project) } : {}),
    selfLink: `${z}/instances/${i.name}`,
    scheduling: {
      onHostMaintenance: 'MIGRATE',
      automaticRestart: true,
      preemptible: false,
      provisioningModel: 'STANDARD',
    },
    cpuPlatform: i.status === 'RUNNING' ? 'Intel Broadwell' : 'Unknown CPU Platform',
    labels: i.labels,
    labelFingerprint: 'vezUS-42LLM=',
    startRestricted: false,
    deletionProtection: false,
    fingerprint: `${fp}Q=`,
    ...(i.lastStartTimestamp ? { lastStartTimestamp: i.lastStartTimestamp } : {}),
    ...(i.lastStopTimestamp ? { lastStopTimestamp: i.lastStopTimestamp } : {}),
  };
}

function requireProject(call: ApiCall, permission: string): Project {
  // Every compute call sees operations and instances as they stand now.
  settleOperations(call.data, Date.now());
  const id = call.params['project'] ?? '';
  const p = findProject(call.data, id);
  if (!p) throw notFound(`The resource 'projects/${id}' was not found`);
  if (!canSee(p, call.user)) throw legacyForbidden(`Required '${permission}' permission for 'projects/${id}'`);
  return p;
}

function requireZone(call: ApiCall): string {
  const zone = call.params['zone'] ?? '';
  if (!call.data.zones.includes(zone))
    throw invalidArgument(`Invalid value for field 'zone': '${zone}'. Unknown zone.`, 'invalid');
  return zone;
}

function requireInstance(call: ApiCall, permission: string): { project: Project; instance: Instance } {
  const project = requireProject(call, permission);
  const zone = requireZone(call);
  const name = call.params['instance'] ?? '';
  const instance = call.data.instances.find(
    (i) => i.project === project.projectId && i.zone === zone && i.name === name,
  );
  if (!instance)
    throw notFound(`The resource 'projects/${project.projectId}/zones/${zone}/instances/${name}' was not found`);
  return { project, instance };
}

/** Compute list filters: `field = value`, `field != value`, or several `(field = value)` groups (AND). */
export function computeFilter(filter: string | null): (i: Instance) => boolean {
  if (!filter?.trim()) return () => true;
  const text = filter.trim();
  const groups = text.startsWith('(')
    ? [...text.matchAll(/\(([^()]*)\)\s*(?:AND\s*)?/g)].map((m) => m[1] ?? '')
    : [text];
  const consumed = text.startsWith('(')
    ? [...text.matchAll(/\(([^()]*)\)\s*(?:AND\s*)?/g)].map((m) => m[0]).join('')
    : text;
  const bad = () => invalidArgument(`Invalid list filter expression '${filter}'.`, 'invalid');
  if (consumed.trim() !== text) throw bad();
  const tests = groups.map((g) => {
    const m = /^\s*([a-zA-Z_.]+)\s*(=|!=|eq|ne)\s*(?:"([^"]*)"|'([^']*)'|(\S+))\s*$/.exec(g);
    if (!m) throw bad();
    const field = m[1] ?? '';
    const value = m[3] ?? m[4] ?? m[5] ?? '';
    const op = m[2] ?? '=';
    const pick = (i: Instance): string | undefined => {
      if (field === 'name') return i.name;
      if (field === 'status') return i.status;
      if (field === 'zone') return i.zone;
      if (field === 'machineType') return i.machineType;
      if (field === 'id') return i.id;
      if (field.startsWith('labels.')) return i.labels[field.slice(7)];
      throw bad();
    };
    const regex = op === 'eq' || op === 'ne' ? new RegExp(`^(?:${value})$`) : undefined;
    return (i: Instance) => {
      const v = pick(i);
      const eq = regex
        ? regex.test(v ?? '')
        : v === value || (field === 'zone' && v !== undefined && value.endsWith(`/zones/${v}`));
      return op === '=' || op === 'eq' ? eq : !eq;
    };
  });
  return (i) => tests.every((t) => t(i));
}

/** Adds the admin-activity audit entry Google would write for a start/stop. */
function audit(data: CloudData, call: ApiCall, instance: Instance, verb: 'stop' | 'start'): void {
  const t = new Date().toISOString();
  data.logs.push({
    project: instance.project,
    insertId: hexId(`audit/${instance.id}/${t}`, 12),
    logName: `projects/${instance.project}/logs/cloudaudit.googleapis.com%2Factivity`,
    resource: {
      type: 'gce_instance',
      labels: { project_id: instance.project, instance_id: instance.id, zone: instance.zone },
    },
    timestamp: t,
    receiveTimestamp: t,
    severity: 'NOTICE',
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: call.user.email },
      serviceName: 'compute.googleapis.com',
      methodName: `v1.compute.instances.${verb}`,
      resourceName: `projects/${instance.project}/zones/${instance.zone}/instances/${instance.name}`,
    },
  });
}

function changeState(call: ApiCall, verb: 'stop' | 'start'): { body: unknown } {
  const now = Date.now();
  settleOperations(call.data, now);
  const { project, instance } = requireInstance(call, `compute.instances.${verb}`);
  if (!hasAnyRole(project, call.user, ROLES_OPERATE_VMS)) {
    throw legacyForbidden(
      `Required 'compute.instances.${verb}' permission for 'projects/${project.projectId}/zones/${instance.zone}/instances/${instance.name}'`,
    );
  }
  // Like Google, stopping a stopped VM (or starting a running one) is fine and still returns an operation.
  const op = startOperation(call.data, instance, verb, call.user.email, now);
  audit(call.data, call, instance, verb);
  return { body: operationJson(op, now, COMPUTE_BASE) };
}

const badMax = () => invalidArgument("Invalid value for field 'maxResults'. Must be between 0 and 500.", 'invalid');

export const computeHandlers: HandlerTable = {
  'compute:v1:instances.aggregatedList': {
    rpc: `${RPC}.InstancesService.AggregatedList`,
    handle(call) {
      const project = requireProject(call, 'compute.instances.list');
      const filter = computeFilter(call.query.get('filter'));
      const all = call.data.instances
        .filter((i) => i.project === project.projectId)
        .filter(filter)
        .sort((a, b) => (a.zone === b.zone ? (a.name < b.name ? -1 : 1) : a.zone < b.zone ? -1 : 1));
      const page = paginate(
        all,
        pageSizeOf(call.query.get('maxResults'), 500, 500, badMax),
        call.query.get('pageToken'),
        `agg:${project.projectId}:${call.query.get('filter') ?? ''}`,
      );
      const items: Record<string, unknown> = {};
      for (const zone of call.data.zones) {
        const here = page.items.filter((i) => i.zone === zone);
        items[`zones/${zone}`] = here.length
          ? { instances: here.map((i) => instanceJson(i, project)) }
          : {
              warning: {
                code: 'NO_RESULTS_ON_PAGE',
                message: `There are no results for scope 'zones/${zone}' on this page.`,
                data: [{ key: 'scope', value: `zones/${zone}` }],
              },
            };
      }
      return {
        body: {
          kind: 'compute#instanceAggregatedList',
          id: `projects/${project.projectId}/aggregated/instances`,
          items,
          ...nextPageField(page),
          selfLink: `${COMPUTE_BASE}projects/${project.projectId}/aggregated/instances`,
        },
      };
    },
  },
  'compute:v1:instances.list': {
    rpc: `${RPC}.InstancesService.List`,
    handle(call) {
      const project = requireProject(call, 'compute.instances.list');
      const zone = requireZone(call);
      const all = call.data.instances
        .filter((i) => i.project === project.projectId && i.zone === zone)
        .filter(computeFilter(call.query.get('filter')));
      const page = paginate(
        all,
        pageSizeOf(call.query.get('maxResults'), 500, 500, badMax),
        call.query.get('pageToken'),
        `list:${project.projectId}:${zone}:${call.query.get('filter') ?? ''}`,
      );
      return {
        body: {
          kind: 'compute#instanceList',
          id: `projects/${project.projectId}/zones/${zone}/instances`,
          ...(page.items.length ? { items: page.items.map((i) => instanceJson(i, project)) } : {}),
          ...nextPageField(page),
          selfLink: `${zoneUrl(project.projectId, zone)}/instances`,
        },
      };
    },
  },
  'compute:v1:instances.get': {
    rpc: `${RPC}.InstancesService.Get`,
    handle(call) {
      const { project, instance } = requireInstance(call, 'compute.instances.get');
      return { body: instanceJson(instance, project) };
    },
  },
  'compute:v1:instances.stop': { rpc: `${RPC}.InstancesService.Stop`, handle: (call) => changeState(call, 'stop') },
  'compute:v1:instances.start': { rpc: `${RPC}.InstancesService.Start`, handle: (call) => changeState(call, 'start') },
  'compute:v1:zoneOperations.get': {
    rpc: `${RPC}.ZoneOperationsService.Get`,
    handle(call) {
      const project = requireProject(call, 'compute.zoneOperations.get');
      const zone = requireZone(call);
      const name = call.params['operation'] ?? '';
      const op = call.data.operations.find(
        (o) => o.project === project.projectId && o.zone === zone && (o.name === name || o.id === name),
      );
      if (!op)
        throw notFound(`The resource 'projects/${project.projectId}/zones/${zone}/operations/${name}' was not found`);
      return { body: operationJson(op, Date.now(), COMPUTE_BASE) };
    },
  },
  'compute:v1:zones.list': {
    rpc: `${RPC}.ZonesService.List`,
    handle(call) {
      const project = requireProject(call, 'compute.zones.list');
      const items = call.data.zones.map((zone) => ({
        kind: 'compute#zone',
        id: numericId(`zone/${zone}`, 4),
        creationTimestamp: '1969-12-31T16:00:00.000-08:00',
        name: zone,
        description: zone,
        status: 'UP',
        region: `${COMPUTE_BASE}projects/${project.projectId}/regions/${regionOf(zone)}`,
        selfLink: zoneUrl(project.projectId, zone),
        availableCpuPlatforms: ['Intel Broadwell', 'Intel Cascade Lake', 'AMD Milan'],
        supportsPzs: false,
      }));
      return {
        body: {
          kind: 'compute#zoneList',
          id: `projects/${project.projectId}/zones`,
          items,
          selfLink: `${COMPUTE_BASE}projects/${project.projectId}/zones`,
        },
      };
    },
  },
};
