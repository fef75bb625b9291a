/**
 * The Google API methods Scopewise calls: baseUrl, flat path and HTTP method copied from the vendored
 * Discovery data (`vendor/google-discovery/methods.json`). `test/google/endpoints.test.ts` checks this table
 * against that file so the two cannot drift.
 *
 * `idempotent` is ours: whether a failed call may be retried. Two POSTs are read-only (getIamPolicy,
 * entries.list) and so idempotent; instance stop/start are not and are never retried.
 */

export interface Endpoint {
  /** `<api>:<version>` key of `source` in methods.json. */
  readonly api: string;
  /** Discovery method id, e.g. `compute.instances.stop`. */
  readonly id: string;
  readonly baseUrl: string;
  readonly httpMethod: 'GET' | 'POST';
  /** Discovery flat path, relative to baseUrl, with `{param}` placeholders. */
  readonly path: string;
  readonly idempotent: boolean;
}

export const ENDPOINTS = {
  'cloudresourcemanager:v3:projects.search': {
    api: 'cloudresourcemanager:v3',
    id: 'cloudresourcemanager.projects.search',
    baseUrl: 'https://cloudresourcemanager.googleapis.com/',
    httpMethod: 'GET',
    path: 'v3/projects:search',
    idempotent: true,
  },
  'cloudresourcemanager:v3:projects.getIamPolicy': {
    api: 'cloudresourcemanager:v3',
    id: 'cloudresourcemanager.projects.getIamPolicy',
    baseUrl: 'https://cloudresourcemanager.googleapis.com/',
    httpMethod: 'POST',
    path: 'v3/projects/{projectsId}:getIamPolicy',
    idempotent: true,
  },
  'compute:v1:instances.aggregatedList': {
    api: 'compute:v1',
    id: 'compute.instances.aggregatedList',
    baseUrl: 'https://compute.googleapis.com/compute/v1/',
    httpMethod: 'GET',
    path: 'projects/{project}/aggregated/instances',
    idempotent: true,
  },
  'compute:v1:instances.stop': {
    api: 'compute:v1',
    id: 'compute.instances.stop',
    baseUrl: 'https://compute.googleapis.com/compute/v1/',
    httpMethod: 'POST',
    path: 'projects/{project}/zones/{zone}/instances/{instance}/stop',
    idempotent: false,
  },
  'compute:v1:instances.start': {
    api: 'compute:v1',
    id: 'compute.instances.start',
    baseUrl: 'https://compute.googleapis.com/compute/v1/',
    httpMethod: 'POST',
    path: 'projects/{project}/zones/{zone}/instances/{instance}/start',
    idempotent: false,
  },
  'compute:v1:instances.get': {
    api: 'compute:v1',
    id: 'compute.instances.get',
    baseUrl: 'https://compute.googleapis.com/compute/v1/',
    httpMethod: 'GET',
    path: 'projects/{project}/zones/{zone}/instances/{instance}',
    idempotent: true,
  },
  'compute:v1:zoneOperations.get': {
    api: 'compute:v1',
    id: 'compute.zoneOperations.get',
    baseUrl: 'https://compute.googleapis.com/compute/v1/',
    httpMethod: 'GET',
    path: 'projects/{project}/zones/{zone}/operations/{operation}',
    idempotent: true,
  },
  'storage:v1:buckets.list': {
    api: 'storage:v1',
    id: 'storage.buckets.list',
    baseUrl: 'https://storage.googleapis.com/storage/v1/',
    httpMethod: 'GET',
    path: 'b',
    idempotent: true,
  },
  'storage:v1:objects.list': {
    api: 'storage:v1',
    id: 'storage.objects.list',
    baseUrl: 'https://storage.googleapis.com/storage/v1/',
    httpMethod: 'GET',
    path: 'b/{bucket}/o',
    idempotent: true,
  },
  'logging:v2:entries.list': {
    api: 'logging:v2',
    id: 'logging.entries.list',
    baseUrl: 'https://logging.googleapis.com/',
    httpMethod: 'POST',
    path: 'v2/entries:list',
    idempotent: true,
  },
  'run:v2:projects.locations.services.list': {
    api: 'run:v2',
    id: 'run.projects.locations.services.list',
    baseUrl: 'https://run.googleapis.com/',
    httpMethod: 'GET',
    path: 'v2/projects/{projectsId}/locations/{locationsId}/services',
    idempotent: true,
  },
  'run:v2:projects.locations.services.getIamPolicy': {
    api: 'run:v2',
    id: 'run.projects.locations.services.getIamPolicy',
    baseUrl: 'https://run.googleapis.com/',
    httpMethod: 'GET',
    path: 'v2/projects/{projectsId}/locations/{locationsId}/services/{servicesId}:getIamPolicy',
    idempotent: true,
  },
  'workflows:v1:projects.locations.workflows.list': {
    api: 'workflows:v1',
    id: 'workflows.projects.locations.workflows.list',
    baseUrl: 'https://workflows.googleapis.com/',
    httpMethod: 'GET',
    path: 'v1/projects/{projectsId}/locations/{locationsId}/workflows',
    idempotent: true,
  },
  'workflows:v1:projects.locations.workflows.get': {
    api: 'workflows:v1',
    id: 'workflows.projects.locations.workflows.get',
    baseUrl: 'https://workflows.googleapis.com/',
    httpMethod: 'GET',
    path: 'v1/projects/{projectsId}/locations/{locationsId}/workflows/{workflowsId}',
    idempotent: true,
  },
  'iam:v1:projects.serviceAccounts.list': {
    api: 'iam:v1',
    id: 'iam.projects.serviceAccounts.list',
    baseUrl: 'https://iam.googleapis.com/',
    httpMethod: 'GET',
    path: 'v1/projects/{projectsId}/serviceAccounts',
    idempotent: true,
  },
  'iam:v1:projects.serviceAccounts.keys.list': {
    api: 'iam:v1',
    id: 'iam.projects.serviceAccounts.keys.list',
    baseUrl: 'https://iam.googleapis.com/',
    httpMethod: 'GET',
    path: 'v1/projects/{projectsId}/serviceAccounts/{serviceAccountsId}/keys',
    idempotent: true,
  },
} as const satisfies Record<string, Endpoint>;

/** Keys are the methods.json `methods` keys (`<api>:<version>:<method>`). */
export type EndpointKey = keyof typeof ENDPOINTS;
