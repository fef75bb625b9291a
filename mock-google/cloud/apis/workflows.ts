// workflows v1: projects.locations.workflows.list and .get (one region at a time; the source comes with both).
import { findProject, hasAnyRole } from '../access.js';
import { type ApiError, iamPermissionDenied, invalidArgument, notFound } from '../errors.js';
import { hexId, type Project } from '../fixtures.js';
import { listBody, requestedPage } from '../paging.js';
import { requireServiceEnabled } from '../service-usage.js';
import type { ApiCall, HandlerTable } from '../types.js';
import type { WorkflowFixture } from '../workloads.js';

const RPC = 'google.cloud.workflows.v1.Workflows';
const SERVICE = 'workflows.googleapis.com';
export const ROLES_READ_WORKFLOWS = [
  'roles/owner',
  'roles/editor',
  'roles/viewer',
  'roles/workflows.viewer',
  'roles/workflows.editor',
  'roles/workflows.admin',
];

function denied(permission: string, resource: string): ApiError {
  return iamPermissionDenied(
    `Permission '${permission}' denied on resource '//workflows.googleapis.com/${resource}' (or it may not exist).`,
    'workflows.googleapis.com',
    { permission, resource },
  );
}

function workflowJson(w: WorkflowFixture): Record<string, unknown> {
  return {
    name: `projects/${w.project}/locations/${w.region}/workflows/${w.name}`,
    description: w.description,
    state: 'ACTIVE',
    revisionId: w.revisionId,
    createTime: w.createTime,
    updateTime: w.createTime,
    revisionCreateTime: w.createTime,
    ...(Object.keys(w.labels).length ? { labels: w.labels } : {}),
    // Google answers with the resource form; no field at all when none was set.
    ...(w.serviceAccount ? { serviceAccount: `projects/${w.project}/serviceAccounts/${w.serviceAccount}` } : {}),
    sourceContents: w.source,
    callLogLevel: 'LOG_ERRORS_ONLY',
    executionHistoryLevel: 'EXECUTION_HISTORY_BASIC',
    cryptoKeyName: '',
    etag: hexId(`wf-etag/${w.project}/${w.name}/${w.revisionId}`, 16),
  };
}

/** Project, location and the caller's right to read workflows there, in Google's order: API enabled, then IAM. */
function requireLocation(call: ApiCall, permission: string): { project: Project; region: string } {
  const id = call.params['projectsId'] ?? '';
  const region = call.params['locationsId'] ?? '';
  if (!/^[a-z]+-[a-z]+\d+$/.test(region)) throw invalidArgument(`Location '${region}' is not a valid location.`);
  const project = findProject(call.data, id);
  if (!project) throw notFound(`Project '${id}' not found.`);
  requireServiceEnabled(call.data, project, SERVICE);
  if (!hasAnyRole(project, call.user, ROLES_READ_WORKFLOWS))
    throw denied(permission, `projects/${project.projectId}/locations/${region}`);
  return { project, region };
}

export const workflowsHandlers: HandlerTable = {
  'workflows:v1:projects.locations.workflows.list': {
    rpc: `${RPC}.ListWorkflows`,
    handle(call) {
      const { project, region } = requireLocation(call, 'workflows.workflows.list');
      const all = call.data.workflows.filter((w) => w.project === project.projectId && w.region === region);
      const page = requestedPage(call.query, all, { default: 500, max: 1000 }, `wf:${project.projectId}:${region}`);
      return { body: listBody(page, 'workflows', workflowJson) };
    },
  },
  'workflows:v1:projects.locations.workflows.get': {
    rpc: `${RPC}.GetWorkflow`,
    handle(call) {
      const { project, region } = requireLocation(call, 'workflows.workflows.get');
      const name = call.params['workflowsId'] ?? '';
      const w = call.data.workflows.find(
        (x) => x.project === project.projectId && x.region === region && x.name === name,
      );
      if (!w)
        throw notFound(`Resource 'projects/${project.projectId}/locations/${region}/workflows/${name}' was not found`);
      return { body: workflowJson(w) };
    },
  },
};
