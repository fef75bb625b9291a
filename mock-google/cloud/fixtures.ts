// The fixture world the Cloud APIs serve: deterministic ids, shared in memory, rebuilt by /__control/reset.
import { INSTANT, type MockOperation, type OperationTiming } from './operations.js';
import { createHash } from 'node:crypto';
import { applyWorkloadFixtures, type DisabledService, type WorkflowFixture } from './workloads.js';

export interface Binding {
  role: string;
  members: string[];
}

export interface Project {
  projectId: string;
  projectNumber: string;
  displayName: string;
  /** `organizations/…` or `folders/…`; absent for a consumer project. */
  parent: string | undefined;
  createTime: string;
  labels: Record<string, string>;
  bindings: Binding[];
}

export interface Folder {
  name: string;
  displayName: string;
  parent: string;
  createTime: string;
}

export interface Organization {
  name: string;
  displayName: string;
  directoryCustomerId: string;
  createTime: string;
  /** Domain users of this org can see it. */
  domain: string;
}

export interface Instance {
  project: string;
  zone: string;
  name: string;
  id: string;
  status: 'RUNNING' | 'TERMINATED' | 'STOPPING' | 'PROVISIONING' | 'STAGING' | 'SUSPENDED';
  machineType: string;
  creationTimestamp: string;
  networkIP: string;
  natIP: string | undefined;
  labels: Record<string, string>;
  lastStartTimestamp: string | undefined;
  lastStopTimestamp: string | undefined;
  /** Attached service account and access scopes; undefined: the default compute account with cloud-platform; []: none. */
  serviceAccounts?: { email: string; scopes: string[] }[];
}

export interface StorageObject {
  name: string;
  size: number;
  contentType: string;
  generation: string;
  timeCreated: string;
}

export interface Bucket {
  name: string;
  project: string;
  location: string;
  locationType: 'multi-region' | 'region' | 'dual-region';
  storageClass: string;
  timeCreated: string;
  objects: StorageObject[];
}

export interface LogEntry {
  project: string;
  insertId: string;
  logName: string;
  resource: { type: string; labels: Record<string, string> };
  timestamp: string;
  receiveTimestamp: string;
  severity: string;
  textPayload?: string;
  jsonPayload?: Record<string, unknown>;
  protoPayload?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export interface RunService {
  project: string;
  region: string;
  name: string;
  uid: string;
  image: string;
  createTime: string;
  creator: string;
  ingress: string;
  /** template.serviceAccount; undefined: the default compute account, set explicitly; null: not set at all. */
  serviceAccount?: string | null;
  /** Members holding roles/run.invoker on the service (empty policy when none). */
  invokers?: string[];
  invokerIamDisabled?: boolean;
}

export interface ServiceAccountKey {
  id: string;
  keyType: 'USER_MANAGED' | 'SYSTEM_MANAGED';
  validAfterTime: string;
  validBeforeTime: string;
  disabled: boolean;
  /** GOOGLE_PROVIDED unless set (USER_PROVIDED: an uploaded public key). */
  keyOrigin?: 'GOOGLE_PROVIDED' | 'USER_PROVIDED';
}

export interface ServiceAccount {
  project: string;
  email: string;
  uniqueId: string;
  displayName: string;
  description: string | undefined;
  disabled: boolean;
  keys: ServiceAccountKey[];
}

export interface Dataset {
  project: string;
  datasetId: string;
  location: string;
  friendlyName: string | undefined;
}

export interface CloudData {
  organizations: Organization[];
  folders: Folder[];
  projects: Project[];
  zones: string[];
  instances: Instance[];
  buckets: Bucket[];
  logs: LogEntry[];
  runServices: RunService[];
  serviceAccounts: ServiceAccount[];
  datasets: Dataset[];
  workflows: WorkflowFixture[];
  /** APIs turned off in a project: calls answer 403 SERVICE_DISABLED. */
  disabledServices: DisabledService[];
  /** Counter for operation ids. */
  operationSeq: number;
  /** Zone operations of stops and starts (cloud/operations.ts), and how long new ones take. */
  operations: MockOperation[];
  operationTiming: OperationTiming;
}

/** Deterministic numeric id (no leading zero) from a string. */
export function numericId(seed: string, digits = 19): string {
  const n = BigInt(`0x${createHash('sha256').update(seed).digest('hex')}`).toString();
  return `${(Number(n[0]) % 9) + 1}${n.slice(1, digits)}`;
}

/** Deterministic lowercase hex id from a string. */
export function hexId(seed: string, length = 40): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}#${i}`).digest('hex');
  return out.slice(0, length);
}

/** Tiny seeded PRNG (mulberry32) so generated fixtures are the same on every reset. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ORG_EXAMPLE = 'organizations/111111111111';
export const FOLDER_PROD = 'folders/200000000001';
export const FOLDER_NONPROD = 'folders/200000000002';

export const ZONES = [
  'us-central1-a',
  'us-central1-b',
  'us-central1-c',
  'us-central1-f',
  'europe-west1-b',
  'europe-west1-c',
  'europe-west1-d',
  'asia-northeast1-a',
];

const A = 'user:alice@example.com';
const B = 'user:bob@example.com';
const C = 'user:carol@gmail.com';

function projects(): Project[] {
  const sa = (p: string, n: string) => `serviceAccount:${n}@${p}.iam.gserviceaccount.com`;
  return [
    {
      projectId: 'acme-prod',
      projectNumber: '123456789012',
      displayName: 'Acme Production',
      parent: FOLDER_PROD,
      createTime: '2021-03-04T10:11:12.345Z',
      labels: { env: 'prod', team: 'platform' },
      bindings: [
        { role: 'roles/owner', members: [A] },
        { role: 'roles/viewer', members: [B, 'group:auditors@example.com'] },
        { role: 'roles/compute.instanceAdmin.v1', members: [sa('acme-prod', 'deployer')] },
        {
          role: 'roles/editor',
          members: [
            'serviceAccount:123456789012-compute@developer.gserviceaccount.com',
            'serviceAccount:123456789012@cloudservices.gserviceaccount.com',
          ],
        },
        { role: 'roles/logging.viewer', members: [sa('acme-prod', 'log-reader')] },
      ],
    },
    {
      projectId: 'acme-staging',
      projectNumber: '234567890123',
      displayName: 'Acme Staging',
      parent: FOLDER_NONPROD,
      createTime: '2021-06-14T08:00:00.000Z',
      labels: { env: 'staging', team: 'platform' },
      bindings: [
        { role: 'roles/editor', members: [A, B] },
        { role: 'roles/owner', members: [A] },
      ],
    },
    {
      projectId: 'acme-data',
      projectNumber: '345678901234',
      displayName: 'Acme Data Lake',
      parent: ORG_EXAMPLE,
      createTime: '2022-01-20T16:45:00.000Z',
      labels: { env: 'prod', team: 'data' },
      bindings: [
        { role: 'roles/owner', members: [A] },
        { role: 'roles/bigquery.dataViewer', members: ['group:analysts@example.com'] },
      ],
    },
    {
      projectId: 'acme-sandbox',
      projectNumber: '456789012345',
      displayName: 'Acme Sandbox',
      parent: FOLDER_NONPROD,
      createTime: '2023-09-01T09:30:00.000Z',
      labels: { env: 'sandbox' },
      bindings: [
        // Alice may run VMs here but may not read the project's IAM policy.
        { role: 'roles/compute.admin', members: [A] },
        { role: 'roles/owner', members: [B] },
      ],
    },
    {
      projectId: 'carol-personal',
      projectNumber: '567890123456',
      displayName: 'My First Project',
      parent: undefined,
      createTime: '2024-02-29T12:00:00.000Z',
      labels: {},
      bindings: [{ role: 'roles/owner', members: [C] }],
    },
  ];
}

function instances(): Instance[] {
  const def: [string, string, string, Instance['status'], string][] = [
    ['acme-prod', 'us-central1-a', 'web-1', 'RUNNING', 'e2-standard-2'],
    ['acme-prod', 'us-central1-b', 'web-2', 'RUNNING', 'e2-standard-2'],
    ['acme-prod', 'us-central1-a', 'worker-1', 'TERMINATED', 'n2-standard-4'],
    ['acme-prod', 'europe-west1-b', 'db-eu-1', 'RUNNING', 'n2-highmem-4'],
    ['acme-staging', 'us-central1-a', 'staging-web-1', 'RUNNING', 'e2-medium'],
    ['acme-staging', 'europe-west1-b', 'staging-batch-1', 'TERMINATED', 'e2-standard-4'],
    ['acme-data', 'us-central1-b', 'etl-runner-1', 'RUNNING', 'n2-standard-8'],
    ['acme-sandbox', 'us-central1-a', 'sandbox-vm', 'TERMINATED', 'e2-micro'],
    ['carol-personal', 'us-central1-a', 'minecraft', 'RUNNING', 'e2-medium'],
  ];
  return def.map(([project, zone, name, status, machineType], i) => ({
    project,
    zone,
    name,
    id: numericId(`instance/${project}/${zone}/${name}`),
    status,
    machineType,
    creationTimestamp: `2024-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:15:00.000-07:00`,
    networkIP: `10.128.0.${10 + i}`,
    natIP: status === 'RUNNING' && !name.startsWith('db') ? `34.${100 + i}.${20 + i}.${30 + i}` : undefined,
    labels: { env: project.split('-')[1] ?? 'personal', role: name.replace(/-\d+$/, '') },
    lastStartTimestamp: `2025-05-0${1 + (i % 9)}T06:00:00.000-07:00`,
    lastStopTimestamp: status === 'TERMINATED' ? `2025-05-1${i % 10}T18:00:00.000-07:00` : undefined,
  }));
}

function obj(name: string, size: number, contentType: string, i: number): StorageObject {
  const day = 1 + (i % 28);
  return {
    name,
    size,
    contentType,
    generation: String(1717000000000000 + i * 1013),
    timeCreated: `2025-05-${String(day).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
  };
}

function buckets(): Bucket[] {
  const assets = ['index.html', 'robots.txt', 'css/site.css', 'img/logo.png', 'img/banner.jpg', 'js/app.js'].map(
    (n, i) =>
      obj(
        n,
        1000 + i * 2345,
        n.endsWith('.html')
          ? 'text/html'
          : n.endsWith('.css')
            ? 'text/css'
            : n.endsWith('.js')
              ? 'text/javascript'
              : n.endsWith('.txt')
                ? 'text/plain'
                : n.endsWith('.png')
                  ? 'image/png'
                  : 'image/jpeg',
        i,
      ),
  );
  const lake: StorageObject[] = [];
  let i = 0;
  for (let day = 1; day <= 30; day++) {
    for (let part = 0; part < 50; part++) {
      lake.push(
        obj(
          `raw/2025-05-${String(day).padStart(2, '0')}/events-${String(part).padStart(4, '0')}.json`,
          50_000 + ((i * 7919) % 90_000),
          'application/json',
          i,
        ),
      );
      i++;
    }
  }
  lake.push(obj('curated/daily_summary.parquet', 8_388_608, 'application/octet-stream', i++));
  lake.push(obj('README.md', 512, 'text/markdown', i++));
  lake.sort((a, b) => (a.name < b.name ? -1 : 1));
  const backups = ['db/2025-05-30.sql.gz', 'db/2025-05-31.sql.gz', 'db/2025-06-01.sql.gz'].map((n, j) =>
    obj(n, 734_003_200 + j * 1_048_576, 'application/gzip', j),
  );
  return [
    {
      name: 'acme-prod-assets',
      project: 'acme-prod',
      location: 'US',
      locationType: 'multi-region',
      storageClass: 'STANDARD',
      timeCreated: '2021-03-05T10:00:00.000Z',
      objects: assets,
    },
    {
      name: 'acme-prod-backups',
      project: 'acme-prod',
      location: 'EUROPE-WEST1',
      locationType: 'region',
      storageClass: 'NEARLINE',
      timeCreated: '2021-03-05T10:05:00.000Z',
      objects: backups,
    },
    {
      name: 'acme-staging-assets',
      project: 'acme-staging',
      location: 'US',
      locationType: 'multi-region',
      storageClass: 'STANDARD',
      timeCreated: '2021-06-15T10:00:00.000Z',
      objects: assets.slice(0, 3),
    },
    {
      name: 'acme-data-lake',
      project: 'acme-data',
      location: 'US',
      locationType: 'multi-region',
      storageClass: 'STANDARD',
      timeCreated: '2022-01-21T10:00:00.000Z',
      objects: lake,
    },
    {
      name: 'acme-data-exports',
      project: 'acme-data',
      location: 'US-CENTRAL1',
      locationType: 'region',
      storageClass: 'STANDARD',
      timeCreated: '2022-02-01T10:00:00.000Z',
      objects: [],
    },
    {
      name: 'acme-sandbox-scratch',
      project: 'acme-sandbox',
      location: 'US-CENTRAL1',
      locationType: 'region',
      storageClass: 'STANDARD',
      timeCreated: '2023-09-02T10:00:00.000Z',
      objects: [obj('tmp/notes.txt', 42, 'text/plain', 0)],
    },
    {
      name: 'carol-photos',
      project: 'carol-personal',
      location: 'EU',
      locationType: 'multi-region',
      storageClass: 'STANDARD',
      timeCreated: '2024-03-01T10:00:00.000Z',
      objects: [obj('2024/holiday.jpg', 2_400_000, 'image/jpeg', 0)],
    },
  ];
}

const SEVERITIES = ['DEBUG', 'INFO', 'INFO', 'INFO', 'NOTICE', 'WARNING', 'WARNING', 'ERROR', 'CRITICAL'];
const MESSAGES = [
  'GET /healthz 200 2ms',
  'GET /api/orders 200 48ms',
  'POST /api/checkout 201 211ms',
  'Cache miss for key session:4821',
  'Connection pool exhausted, waiting for a free connection',
  'Slow query: SELECT * FROM orders WHERE status = $1 (1840ms)',
  'Failed to charge card: upstream timeout',
  'Out of memory: killed process 4242 (java)',
  'Deployment finished: revision api-00042-xyz',
];

/** Log entries, newest last; timestamps are relative to `now` so "last hour" filters find something. */
function logs(now: number, list: Instance[]): LogEntry[] {
  const out: LogEntry[] = [];
  const perProject: [string, number][] = [
    ['acme-prod', 150],
    ['acme-staging', 30],
    ['acme-data', 20],
    ['carol-personal', 5],
  ];
  for (const [project, n] of perProject) {
    const rand = prng(Number(numericId(project, 9)));
    const vms = list.filter((i) => i.project === project);
    for (let k = 0; k < n; k++) {
      const t = new Date(now - (n - k) * 90_000 - Math.floor(rand() * 30_000));
      const severity = SEVERITIES[Math.floor(rand() * SEVERITIES.length)] ?? 'INFO';
      const message = MESSAGES[Math.floor(rand() * MESSAGES.length)] ?? '';
      const vm = vms[k % Math.max(1, vms.length)];
      const base = {
        project,
        insertId: hexId(`${project}/log/${k}`, 14),
        timestamp: t.toISOString(),
        receiveTimestamp: new Date(t.getTime() + 120).toISOString(),
        severity,
      };
      if (k % 3 === 0 || !vm) {
        out.push({
          ...base,
          logName: `projects/${project}/logs/run.googleapis.com%2Frequests`,
          resource: {
            type: 'cloud_run_revision',
            labels: {
              project_id: project,
              service_name: 'api',
              revision_name: 'api-00042-xyz',
              location: 'us-central1',
              configuration_name: 'api',
            },
          },
          jsonPayload: { message, latencyMs: Math.floor(rand() * 500) },
        });
      } else {
        out.push({
          ...base,
          logName: `projects/${project}/logs/syslog`,
          resource: { type: 'gce_instance', labels: { project_id: project, instance_id: vm.id, zone: vm.zone } },
          textPayload: `${vm.name}: ${message}`,
          labels: { 'compute.googleapis.com/resource_name': vm.name },
        });
      }
    }
  }
  return out;
}

function runServices(): RunService[] {
  const def: [string, string, string, string][] = [
    ['acme-prod', 'us-central1', 'api', 'us-docker.pkg.dev/acme-prod/apps/api:1.42.0'],
    ['acme-prod', 'us-central1', 'frontend', 'us-docker.pkg.dev/acme-prod/apps/frontend:3.1.4'],
    ['acme-prod', 'europe-west1', 'api-eu', 'europe-docker.pkg.dev/acme-prod/apps/api:1.42.0'],
    ['acme-staging', 'us-central1', 'api-staging', 'us-docker.pkg.dev/acme-staging/apps/api:1.43.0-rc1'],
    ['acme-data', 'us-central1', 'etl-trigger', 'us-docker.pkg.dev/acme-data/jobs/etl-trigger:0.9.2'],
  ];
  return def.map(([project, region, name, image], i) => ({
    project,
    region,
    name,
    uid: `${hexId(`run/${project}/${name}`, 8)}-${hexId(`run2/${name}`, 4)}-4${hexId(`r3/${name}`, 3)}-a${hexId(`r4/${name}`, 3)}-${hexId(`r5/${name}`, 12)}`,
    image,
    createTime: `2024-1${i % 3}-0${1 + i}T12:00:00.000000Z`,
    creator: 'alice@example.com',
    ingress: name === 'etl-trigger' ? 'INGRESS_TRAFFIC_INTERNAL_ONLY' : 'INGRESS_TRAFFIC_ALL',
  }));
}

function serviceAccounts(): ServiceAccount[] {
  const out: ServiceAccount[] = [];
  const make = (
    project: string,
    email: string,
    displayName: string,
    description: string | undefined,
    userKeys: number,
    disabled = false,
  ) => {
    const keys: ServiceAccountKey[] = [];
    for (let k = 0; k < userKeys; k++) {
      keys.push({
        id: hexId(`key/${email}/${k}`),
        keyType: 'USER_MANAGED',
        validAfterTime: `2024-0${1 + k}-15T10:00:00Z`,
        validBeforeTime: '9999-12-31T23:59:59Z',
        disabled: false,
      });
    }
    keys.push({
      id: hexId(`syskey/${email}`),
      keyType: 'SYSTEM_MANAGED',
      validAfterTime: '2025-05-20T00:00:00Z',
      validBeforeTime: '2025-06-05T00:00:00Z',
      disabled: false,
    });
    out.push({ project, email, uniqueId: numericId(`sa/${email}`, 21), displayName, description, disabled, keys });
  };
  make('acme-prod', 'deployer@acme-prod.iam.gserviceaccount.com', 'Deployer', 'Deploys releases from CI', 2);
  make('acme-prod', 'log-reader@acme-prod.iam.gserviceaccount.com', 'Log reader', undefined, 1);
  make(
    'acme-prod',
    '123456789012-compute@developer.gserviceaccount.com',
    'Compute Engine default service account',
    undefined,
    0,
  );
  for (let n = 1; n <= 20; n++) {
    const id = String(n).padStart(2, '0');
    make(
      'acme-prod',
      `svc-${id}@acme-prod.iam.gserviceaccount.com`,
      `Service ${id}`,
      `Microservice ${id}`,
      n % 3 === 0 ? 1 : 0,
      n === 13,
    );
  }
  make('acme-staging', 'deployer@acme-staging.iam.gserviceaccount.com', 'Deployer', 'Deploys staging', 1);
  make('acme-data', 'etl@acme-data.iam.gserviceaccount.com', 'ETL pipeline', undefined, 3);
  make('acme-sandbox', 'playground@acme-sandbox.iam.gserviceaccount.com', 'Playground', undefined, 1);
  return out;
}

function datasets(): Dataset[] {
  return [
    { project: 'acme-data', datasetId: 'analytics', location: 'US', friendlyName: 'Analytics' },
    { project: 'acme-data', datasetId: 'raw_events', location: 'US', friendlyName: undefined },
    { project: 'acme-data', datasetId: 'ml_features', location: 'US', friendlyName: 'ML features' },
    { project: 'acme-prod', datasetId: 'billing_export', location: 'EU', friendlyName: 'Billing export' },
  ];
}

export function createCloudData(now = Date.now()): CloudData {
  const inst = instances();
  const data: CloudData = {
    organizations: [
      {
        name: ORG_EXAMPLE,
        displayName: 'example.com',
        directoryCustomerId: 'C01abcd23',
        createTime: '2019-01-01T00:00:00.000Z',
        domain: 'example.com',
      },
    ],
    folders: [
      { name: FOLDER_PROD, displayName: 'Production', parent: ORG_EXAMPLE, createTime: '2020-01-01T00:00:00.000Z' },
      {
        name: FOLDER_NONPROD,
        displayName: 'Non-production',
        parent: ORG_EXAMPLE,
        createTime: '2020-01-01T00:00:00.000Z',
      },
    ],
    projects: projects(),
    zones: ZONES,
    instances: inst,
    buckets: buckets(),
    logs: logs(now, inst),
    runServices: runServices(),
    serviceAccounts: serviceAccounts(),
    datasets: datasets(),
    workflows: [],
    disabledServices: [],
    operationSeq: 0,
    operations: [],
    operationTiming: INSTANT,
  };
  applyWorkloadFixtures(data, now);
  return data;
}
