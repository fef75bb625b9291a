// Workload-identity fixtures: who each VM, Cloud Run service and workflow runs as, who may invoke the services,
// a few key variations, the workflows, and one project with the Workflows API turned off. Applied on top of the
// base fixtures (fixtures.ts) without changing what the other features show: instance, service and account
// names and counts stay the same; only identity fields and three svc-NN keys change.
import type { CloudData } from './fixtures.js';
import {
  CLEAN_PIPELINE_YAML,
  ETL_ORCHESTRATOR_YAML,
  EU_SYNC_YAML,
  REPORT_BUILDER_JSON,
  VM_JANITOR_YAML,
} from './workflow-sources.js';

export interface WorkflowFixture {
  project: string;
  region: string;
  name: string;
  description: string;
  /** Email; undefined: none set (Google then uses the default compute account and returns no serviceAccount). */
  serviceAccount: string | undefined;
  source: string;
  revisionId: string;
  createTime: string;
  labels: Record<string, string>;
}

export interface DisabledService {
  project: string;
  /** e.g. `workflows.googleapis.com` */
  service: string;
  /** e.g. `Workflows API` */
  title: string;
}

const AUTH = 'https://www.googleapis.com/auth/';
const PROD_DEFAULT = '123456789012-compute@developer.gserviceaccount.com';
const prodSa = (name: string): string => `${name}@acme-prod.iam.gserviceaccount.com`;

/** The pre-IAM "full access" set old VMs were created with: full control of one API after another. */
export const LEGACY_FULL_ACCESS_SCOPES = [
  'userinfo.email',
  'compute',
  'devstorage.full_control',
  'taskqueue',
  'bigquery',
  'sqlservice.admin',
  'datastore',
].map((s) => AUTH + s);

export function applyWorkloadFixtures(data: CloudData, now: number): void {
  const vm = (project: string, name: string) => data.instances.find((i) => i.project === project && i.name === name);
  const setVm = (project: string, name: string, serviceAccounts: { email: string; scopes: string[] }[]) => {
    const i = vm(project, name);
    if (i) i.serviceAccounts = serviceAccounts;
  };
  // web-1 keeps the default account with cloud-platform (every other VM does too unless set here).
  setVm('acme-prod', 'web-2', [{ email: prodSa('svc-01'), scopes: [`${AUTH}cloud-platform`] }]);
  setVm('acme-prod', 'worker-1', []);
  setVm('acme-prod', 'db-eu-1', [{ email: PROD_DEFAULT, scopes: LEGACY_FULL_ACCESS_SCOPES }]);

  const run = (project: string, name: string) => data.runServices.find((s) => s.project === project && s.name === name);
  const api = run('acme-prod', 'api');
  if (api) {
    api.serviceAccount = prodSa('svc-02');
    api.invokers = [`serviceAccount:${prodSa('svc-05')}`];
  }
  const frontend = run('acme-prod', 'frontend');
  if (frontend) frontend.invokers = ['allUsers']; // and the default account, set explicitly
  const apiEu = run('acme-prod', 'api-eu');
  if (apiEu) {
    apiEu.serviceAccount = null;
    apiEu.invokers = ['allAuthenticatedUsers'];
  }
  const staging = run('acme-staging', 'api-staging');
  if (staging) staging.invokers = ['group:developers@example.com'];
  const etl = run('acme-data', 'etl-trigger');
  if (etl) {
    etl.serviceAccount = 'etl@acme-data.iam.gserviceaccount.com';
    etl.invokerIamDisabled = true;
  }

  const key = (email: string) =>
    data.serviceAccounts.find((s) => s.email === email)?.keys.find((k) => k.keyType === 'USER_MANAGED');
  const recent = key(prodSa('svc-03'));
  if (recent) recent.validAfterTime = new Date(now - 12 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const uploaded = key(prodSa('svc-06'));
  if (uploaded) uploaded.keyOrigin = 'USER_PROVIDED';
  const disabled = key(prodSa('svc-09'));
  if (disabled) disabled.disabled = true;

  const wf = (w: Omit<WorkflowFixture, 'labels'> & { labels?: Record<string, string> }): WorkflowFixture => ({
    labels: {},
    ...w,
  });
  data.workflows = [
    wf({
      project: 'acme-prod',
      region: 'us-central1',
      name: 'vm-janitor',
      description: 'Stops idle VMs and tells the team',
      serviceAccount: PROD_DEFAULT,
      source: VM_JANITOR_YAML,
      revisionId: '000007-3f1',
      createTime: '2025-02-03T09:00:00.000000000Z',
      labels: { team: 'platform' },
    }),
    wf({
      project: 'acme-prod',
      region: 'us-central1',
      name: 'report-builder',
      description: 'Builds the weekly report',
      serviceAccount: prodSa('svc-04'),
      source: REPORT_BUILDER_JSON,
      revisionId: '000012-a0c',
      createTime: '2025-03-10T14:30:00.000000000Z',
    }),
    wf({
      project: 'acme-prod',
      region: 'us-central1',
      name: 'clean-pipeline',
      description: 'Least-privilege example',
      serviceAccount: prodSa('svc-07'),
      source: CLEAN_PIPELINE_YAML,
      revisionId: '000002-7be',
      createTime: '2025-04-22T08:15:00.000000000Z',
    }),
    wf({
      project: 'acme-prod',
      region: 'europe-west1',
      name: 'eu-sync',
      description: 'Lists EU backups',
      serviceAccount: undefined,
      source: EU_SYNC_YAML,
      revisionId: '000001-c42',
      createTime: '2025-05-05T11:00:00.000000000Z',
    }),
    wf({
      project: 'acme-data',
      region: 'us-central1',
      name: 'etl-orchestrator',
      description: 'Lists the datasets',
      serviceAccount: 'etl@acme-data.iam.gserviceaccount.com',
      source: ETL_ORCHESTRATOR_YAML,
      revisionId: '000003-19d',
      createTime: '2025-01-15T07:45:00.000000000Z',
    }),
  ];
  data.disabledServices = [{ project: 'acme-staging', service: 'workflows.googleapis.com', title: 'Workflows API' }];
}
