// iam v1: projects.serviceAccounts.list and projects.serviceAccounts.keys.list.
import { ROLES_LIST_SERVICE_ACCOUNTS, findProject, hasAnyRole } from '../access.js';
import { type ApiError, iamPermissionDenied, invalidArgument, notFound } from '../errors.js';
import type { Project, ServiceAccount } from '../fixtures.js';
import { listBody, requestedPage } from '../paging.js';
import type { ApiCall, HandlerTable } from '../types.js';

const RPC = 'google.iam.admin.v1.IAM';

function iamDenied(permission: string): ApiError {
  return iamPermissionDenied(
    `Permission '${permission}' denied on resource (or it may not exist).`,
    'iam.googleapis.com',
    {
      permission,
    },
  );
}

function accountJson(sa: ServiceAccount): Record<string, unknown> {
  return {
    name: `projects/${sa.project}/serviceAccounts/${sa.email}`,
    projectId: sa.project,
    uniqueId: sa.uniqueId,
    email: sa.email,
    displayName: sa.displayName,
    etag: 'MDEwMjE5MjA=',
    ...(sa.description ? { description: sa.description } : {}),
    oauth2ClientId: sa.uniqueId,
    ...(sa.disabled ? { disabled: true } : {}),
  };
}

function requireProject(call: ApiCall, permission: string): Project {
  const id = call.params['projectsId'] ?? '';
  const project = findProject(call.data, id);
  if (!project) throw notFound(`Project ${id} not found or deleted.`);
  if (!hasAnyRole(project, call.user, ROLES_LIST_SERVICE_ACCOUNTS)) throw iamDenied(permission);
  return project;
}

/** The account the path names (by email or unique id; project `-` means any), when the caller may read it. */
function requireServiceAccount(call: ApiCall, permission: string): ServiceAccount {
  const projectId = call.params['projectsId'] ?? '';
  const id = call.params['serviceAccountsId'] ?? '';
  const sa = call.data.serviceAccounts.find(
    (s) =>
      (s.email === id || s.uniqueId === id) &&
      (projectId === '-' || findProject(call.data, projectId)?.projectId === s.project),
  );
  if (!sa) throw notFound(`Service account projects/${projectId}/serviceAccounts/${id} does not exist.`);
  const project = findProject(call.data, sa.project);
  if (!project || !hasAnyRole(project, call.user, ROLES_LIST_SERVICE_ACCOUNTS)) throw iamDenied(permission);
  return sa;
}

const KEY_TYPES = new Set(['USER_MANAGED', 'SYSTEM_MANAGED', 'KEY_TYPE_UNSPECIFIED']);

export const iamHandlers: HandlerTable = {
  'iam:v1:projects.serviceAccounts.get': {
    rpc: `${RPC}.GetServiceAccount`,
    handle(call) {
      const sa = requireServiceAccount(call, 'iam.serviceAccounts.get');
      return { body: accountJson(sa) };
    },
  },
  'iam:v1:projects.serviceAccounts.list': {
    rpc: `${RPC}.ListServiceAccounts`,
    handle(call) {
      const project = requireProject(call, 'iam.serviceAccounts.list');
      const all = call.data.serviceAccounts.filter((s) => s.project === project.projectId);
      const page = requestedPage(call.query, all, { default: 20, max: 100 }, `sa:${project.projectId}`);
      return { body: listBody(page, 'accounts', accountJson) };
    },
  },
  'iam:v1:projects.serviceAccounts.keys.list': {
    rpc: `${RPC}.ListServiceAccountKeys`,
    handle(call) {
      const sa = requireServiceAccount(call, 'iam.serviceAccountKeys.list');
      const types = call.query.getAll('keyTypes');
      for (const t of types)
        if (!KEY_TYPES.has(t))
          throw invalidArgument(
            `Invalid value at 'key_types' (type.googleapis.com/google.iam.admin.v1.ListServiceAccountKeysRequest.KeyType), "${t}"`,
          );
      const keys = sa.keys.filter(
        (k) => types.length === 0 || types.includes('KEY_TYPE_UNSPECIFIED') || types.includes(k.keyType),
      );
      return {
        body: {
          ...(keys.length
            ? {
                keys: keys.map((k) => ({
                  name: `projects/${sa.project}/serviceAccounts/${sa.email}/keys/${k.id}`,
                  validAfterTime: k.validAfterTime,
                  validBeforeTime: k.validBeforeTime,
                  keyAlgorithm: 'KEY_ALG_RSA_2048',
                  keyOrigin: k.keyOrigin ?? 'GOOGLE_PROVIDED',
                  keyType: k.keyType,
                  ...(k.disabled ? { disabled: true } : {}),
                })),
              }
            : {}),
        },
      };
    },
  },
};
