/**
 * The scope catalogue: every Scopewise feature, the Google API methods it calls and the OAuth scopes it asks
 * for the first time it is used (incremental consent). Pure data; `check.ts` proves each entry asks for the
 * narrowest scopes the Discovery data allows, and the app refuses to start if it doesn't.
 */
import type { MethodId } from './discovery.js';
import { AUTH_PREFIX } from './scope-names.js';

/**
 * What the scope checks read of a feature (check.ts, readiness.ts, explain.ts): any id, so that the checks can be
 * tested on synthetic features and report an id unfit for URLs. A catalogue entry is a `Feature`.
 */
export interface FeatureScopes {
  readonly id: string;
  readonly title: string;
  /** What the feature does for the admin. */
  readonly summary: string;
  /** Why it needs the access; shown before Google's consent screen. */
  readonly why: string;
  /** The Google API methods the feature calls (keys of methods.json). */
  readonly methods: readonly MethodId[];
  /** The scopes asked for, full URIs. */
  readonly scopes: readonly string[];
  /** Set when Google offers only a cloud-wide scope for these methods: shown next to the request. */
  readonly broadOnly?: string;
  /**
   * What else the asked scope allows, when it is not cloud-wide but still more than the feature uses (e.g. no
   * read-only scope exists for the API). Shown next to the request like `broadOnly`; says only what is true.
   */
  readonly accessNote?: string;
  /** Why these methods and scopes were chosen over siblings, with the evidence (for `npm run scopes`, /account). */
  readonly scopeChoice?: string;
}

/** A feature of the catalogue: its scopes, and where it lives in Scopewise. */
export interface Feature extends FeatureScopes {
  /** Stable id, used in URLs (`/consent/<id>`) and sessions. */
  readonly id: FeatureId;
  /** Where the feature lives in Scopewise: its page, where consent for it comes back to by default. */
  readonly path: string;
  /** The label of its entry in the navigation; absent for a feature reached from another's page. */
  readonly nav?: string;
}

/** Sign-in asks for identity only; every Cloud scope is asked later, per feature. */
export const SIGN_IN_SCOPES: readonly string[] = ['openid', 'email', 'profile'];

const CLOUD_PLATFORM = `${AUTH_PREFIX}cloud-platform`;
const CLOUD_PLATFORM_READ_ONLY = `${AUTH_PREFIX}cloud-platform.read-only`;
/** The workload identity review: one page, one feature per section, each asking only for its own access. */
export const WORKLOADS_PATH = '/workloads';

export const FEATURE_IDS = [
  'projects',
  'vms',
  'vm-power',
  'buckets',
  'logs',
  'cloud-run',
  'service-accounts',
  'workload-vms',
  'workload-cloud-run',
  'workload-cloud-run-invokers',
  'workload-keys',
  'workload-workflows',
] as const;
export type FeatureId = (typeof FEATURE_IDS)[number];

export const CATALOGUE: readonly Feature[] = [
  {
    id: 'projects',
    path: '/projects',
    nav: 'Projects',
    title: 'Projects',
    summary: 'Lists the Google Cloud projects you can see and shows who has which role on each (its IAM policy).',
    why: 'Scopewise needs read-only access to your Google Cloud data to search your projects and read their IAM policies. It never changes anything with it.',
    methods: ['cloudresourcemanager:v3:projects.search', 'cloudresourcemanager:v3:projects.getIamPolicy'],
    scopes: [CLOUD_PLATFORM_READ_ONLY],
    broadOnly:
      'Listing your projects (Resource Manager projects.search) is documented by Google only with the cloud-wide scopes, so the narrowest one (cloud-platform.read-only) lets Scopewise view, but never change, data across all your Google Cloud services, not just projects. Reading IAM policies alone would accept a projects-only scope.',
    scopeChoice:
      "projects.getIamPolicy accepts cloudplatformprojects.readonly (REST reference), but projects.search is documented only with cloud-platform and cloud-platform.read-only (Discovery; its REST page's scope list is not readable in the corpus), and the sibling that accepts the narrow scope, v3 projects.get, cannot list projects (it needs a name). v1 projects.list would be the replacement, but its REST scope list is not readable either. So projects.search + cloud-platform.read-only stays until the live check (a cloudplatformprojects.readonly token on projects.search or v1 projects.list) proves otherwise.",
  },
  {
    id: 'vms',
    path: '/vms',
    nav: 'Virtual machines',
    title: 'Virtual machines',
    summary: 'Lists the Compute Engine VM instances of a project across all zones, with their status.',
    why: 'Scopewise needs read-only access to Compute Engine to list your VM instances. Viewing never needs, and never gets, the power to change them.',
    methods: ['compute:v1:instances.aggregatedList'],
    scopes: [`${AUTH_PREFIX}compute.readonly`],
  },
  {
    id: 'vm-power',
    path: '/vms',
    title: 'Start and stop VMs',
    summary: 'Starts and stops Compute Engine VM instances from the VM list.',
    why: "Starting or stopping a VM changes it, so Scopewise needs Compute Engine read-write access. It's asked only when you first use the power buttons, so viewing VMs never holds write access.",
    // The operation a stop or start returns is followed with the same token until Google reports it done, then
    // the VM is read once for its new state: both methods accept this feature's own scope (compute).
    methods: [
      'compute:v1:instances.stop',
      'compute:v1:instances.start',
      'compute:v1:zoneOperations.get',
      'compute:v1:instances.get',
    ],
    scopes: [`${AUTH_PREFIX}compute`],
  },
  {
    id: 'buckets',
    path: '/buckets',
    nav: 'Storage buckets',
    title: 'Storage buckets',
    summary: "Lists a project's Cloud Storage buckets and the objects in a bucket.",
    why: 'Scopewise needs read-only access to Cloud Storage to list your buckets and their objects.',
    methods: ['storage:v1:buckets.list', 'storage:v1:objects.list'],
    scopes: [`${AUTH_PREFIX}devstorage.read_only`],
  },
  {
    id: 'logs',
    path: '/logs',
    nav: 'Logs',
    title: 'Logs',
    summary: 'Shows recent Cloud Logging entries of a project, with a filter.',
    why: 'Scopewise needs read-only access to Cloud Logging to read your log entries.',
    methods: ['logging:v2:entries.list'],
    scopes: [`${AUTH_PREFIX}logging.read`],
  },
  {
    id: 'cloud-run',
    path: '/cloud-run',
    nav: 'Cloud Run services',
    title: 'Cloud Run services',
    summary: 'Lists the Cloud Run services of a project in a region.',
    why: 'Scopewise needs read-only access to Cloud Run to list your services.',
    methods: ['run:v2:projects.locations.services.list'],
    scopes: [`${AUTH_PREFIX}run.readonly`],
  },
  {
    id: 'service-accounts',
    path: '/service-accounts',
    nav: 'Service accounts',
    title: 'Service accounts',
    summary: "Lists a project's service accounts and their keys, so you can spot old or user-managed keys.",
    why: 'Scopewise needs access to the IAM API to list service accounts and their keys. It only reads them.',
    methods: ['iam:v1:projects.serviceAccounts.list', 'iam:v1:projects.serviceAccounts.keys.list'],
    scopes: [`${AUTH_PREFIX}iam`],
    accessNote:
      'Google offers no read-only scope for the IAM API, so this scope is limited to IAM but not to reading. Scopewise only lists service accounts and keys with it.',
    scopeChoice:
      "Google's REST reference lists iam beside cloud-platform for serviceAccounts.list and keys.list; the Discovery doc lists only cloud-platform (it does not declare iam at all). iam is limited to the IAM API, so it replaces cloud-platform.",
  },
  {
    id: 'workload-vms',
    title: 'Workload identity: VMs',
    path: WORKLOADS_PATH,
    nav: 'Workload identity',
    summary: "Reviews each VM's attached service account and access scopes against Google's guidance for workloads.",
    why: 'Scopewise needs read-only access to Compute Engine to read which service account and access scopes each VM runs with.',
    methods: ['compute:v1:instances.aggregatedList'],
    scopes: [`${AUTH_PREFIX}compute.readonly`],
  },
  {
    id: 'workload-cloud-run',
    title: 'Workload identity: Cloud Run',
    path: WORKLOADS_PATH,
    summary: 'Reviews the service account each Cloud Run service runs as.',
    why: 'Scopewise needs read-only access to Cloud Run to read which service account each service runs as.',
    methods: ['run:v2:projects.locations.services.list'],
    scopes: [`${AUTH_PREFIX}run.readonly`],
  },
  {
    id: 'workload-cloud-run-invokers',
    title: 'Workload identity: who may invoke Cloud Run',
    path: WORKLOADS_PATH,
    summary:
      'Checks whether anyone on the internet (allUsers) or any Google account may invoke each Cloud Run service.',
    why: "Scopewise needs to read each Cloud Run service's IAM policy to see who may invoke it. It only reads the policies.",
    methods: ['run:v2:projects.locations.services.list', 'run:v2:projects.locations.services.getIamPolicy'],
    scopes: [CLOUD_PLATFORM],
    broadOnly:
      "Google documents Cloud Run's getIamPolicy only with the cloud-platform scope (REST reference and Discovery agree), which would allow viewing and changing all your Google Cloud resources. Scopewise only reads service IAM policies with it; this part of the review is optional, and the rest works without it.",
  },
  {
    id: 'workload-keys',
    title: 'Workload identity: service-account keys',
    path: WORKLOADS_PATH,
    summary: 'Finds user-managed service-account keys (long-lived credentials) and how old they are.',
    why: 'Scopewise needs access to the IAM API to list service accounts and their keys. It only reads them.',
    methods: ['iam:v1:projects.serviceAccounts.list', 'iam:v1:projects.serviceAccounts.keys.list'],
    scopes: [`${AUTH_PREFIX}iam`],
    accessNote:
      'Google offers no read-only scope for the IAM API, so this scope is limited to IAM but not to reading. Scopewise only lists service accounts and keys with it.',
  },
  {
    id: 'workload-workflows',
    title: 'Workload identity: Workflows',
    path: WORKLOADS_PATH,
    summary:
      "Reviews each workflow's service account and how each of its HTTP calls authenticates (OAuth 2.0 scopes, OIDC audiences).",
    why: "Scopewise needs to read your workflows' definitions to check how each step authenticates. It only reads them.",
    methods: ['workflows:v1:projects.locations.workflows.list', 'workflows:v1:projects.locations.workflows.get'],
    scopes: [CLOUD_PLATFORM],
    broadOnly:
      'Google documents the Workflows API only with the cloud-platform scope (Discovery; the REST reference shows no other), which would allow viewing and changing all your Google Cloud resources. Scopewise only reads workflow definitions with it.',
  },
] satisfies readonly Feature[];

/** A feature id from a URL or a session: a known one, or undefined. */
export function isFeatureId(value: unknown): value is FeatureId {
  return typeof value === 'string' && (FEATURE_IDS as readonly string[]).includes(value);
}

/** The feature with this id, or undefined. */
export function getFeature(id: string, features: readonly Feature[] = CATALOGUE): Feature | undefined {
  return features.find((f) => f.id === id);
}

/** The navigation: one entry per feature page that has one, in catalogue order. */
export function navEntries(features: readonly Feature[] = CATALOGUE): Array<{ href: string; label: string }> {
  return features.filter((f) => f.nav !== undefined).map((f) => ({ href: f.path, label: f.nav! }));
}
