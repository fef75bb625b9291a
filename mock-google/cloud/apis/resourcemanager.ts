// cloudresourcemanager v3: projects (search, list, get, getIamPolicy), organizations.search, folders.list.
import { ROLES_READ_IAM_POLICY, canSee, findProject, hasAnyRole } from '../access.js';
import { callerDenied, invalidArgument, notFound } from '../errors.js';
import type { CloudData, Project } from '../fixtures.js';
import { listBody, nextPageField, requestedPage } from '../paging.js';
import type { ApiCall, HandlerTable } from '../types.js';
import type { FixtureUser } from '../../users.js';

const RPC = 'google.cloud.resourcemanager.v3';

export function projectJson(p: Project): Record<string, unknown> {
  return {
    name: `projects/${p.projectNumber}`,
    ...(p.parent ? { parent: p.parent } : {}),
    projectId: p.projectId,
    state: 'ACTIVE',
    displayName: p.displayName,
    createTime: p.createTime,
    updateTime: p.createTime,
    etag: `W/"${p.projectNumber.slice(0, 8)}"`,
    ...(Object.keys(p.labels).length > 0 ? { labels: p.labels } : {}),
  };
}

function visibleProjects(data: CloudData, user: FixtureUser): Project[] {
  return data.projects.filter((p) => canSee(p, user));
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
}

/** The `query` of projects.search: space-separated `key:value` terms, all must hold. */
function projectQuery(query: string): (p: Project) => boolean {
  const terms = query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  const tests: ((p: Project) => boolean)[] = [];
  for (const term of terms) {
    if (term === 'AND') continue;
    const m = /^([A-Za-z_.]+)\s*[:=]\s*(.+)$/.exec(term);
    if (!m) throw invalidArgument('Request contains an invalid argument.');
    const key = m[1] ?? '';
    const re = wildcard((m[2] ?? '').replace(/^"|"$/g, ''));
    if (key === 'id' || key === 'projectId') tests.push((p) => re.test(p.projectId));
    else if (key === 'name' || key === 'displayName') tests.push((p) => re.test(p.displayName));
    else if (key === 'state' || key === 'lifecycleState') tests.push(() => re.test('ACTIVE'));
    else if (key === 'parent') tests.push((p) => re.test(p.parent ?? ''));
    else if (key === 'projectNumber' || key === 'number') tests.push((p) => re.test(p.projectNumber));
    else if (key.startsWith('labels.')) tests.push((p) => re.test(p.labels[key.slice(7)] ?? '\u0000'));
    else throw invalidArgument('Request contains an invalid argument.');
  }
  return (p) => tests.every((t) => t(p));
}

function requireProject(call: ApiCall): Project {
  const id = call.params['projectsId'] ?? '';
  const p = findProject(call.data, id);
  if (!p) throw notFound(`Project 'projects/${id}' not found.`);
  if (!canSee(p, call.user)) throw callerDenied();
  return p;
}

const badPageSize = () => invalidArgument('Request contains an invalid argument.');

export const resourceManagerHandlers: HandlerTable = {
  'cloudresourcemanager:v3:projects.search': {
    rpc: `${RPC}.Projects.SearchProjects`,
    handle(call) {
      const filter = projectQuery(call.query.get('query') ?? '');
      const all = visibleProjects(call.data, call.user).filter(filter);
      const page = requestedPage(
        call.query,
        all,
        { default: 500, max: 500 },
        `search:${call.query.get('query') ?? ''}`,
        badPageSize,
      );
      return { body: listBody(page, 'projects', projectJson) };
    },
  },
  'cloudresourcemanager:v3:projects.list': {
    rpc: `${RPC}.Projects.ListProjects`,
    handle(call) {
      const parent = call.query.get('parent');
      if (!parent) throw invalidArgument('Request contains an invalid argument.');
      const all = visibleProjects(call.data, call.user).filter((p) => p.parent === parent);
      const page = requestedPage(call.query, all, { default: 500, max: 500 }, `list:${parent}`, badPageSize);
      return { body: listBody(page, 'projects', projectJson) };
    },
  },
  'cloudresourcemanager:v3:projects.get': {
    rpc: `${RPC}.Projects.GetProject`,
    handle(call) {
      return { body: projectJson(requireProject(call)) };
    },
  },
  'cloudresourcemanager:v3:projects.getIamPolicy': {
    rpc: `${RPC}.Projects.GetIamPolicy`,
    handle(call) {
      const options = call.body['options'];
      if (options !== undefined && (typeof options !== 'object' || options === null))
        throw invalidArgument('Invalid JSON payload received. Unknown name "options"');
      const version = (options as Record<string, unknown> | undefined)?.['requestedPolicyVersion'];
      if (version !== undefined && ![0, 1, 3].includes(Number(version)))
        throw invalidArgument(`Invalid requested policy version: ${String(version)}`);
      const p = requireProject(call);
      if (!hasAnyRole(p, call.user, ROLES_READ_IAM_POLICY)) throw callerDenied();
      const bindings = [...p.bindings]
        .sort((a, b) => (a.role < b.role ? -1 : 1))
        .map((b) => ({ role: b.role, members: [...b.members].sort() }));
      return { body: { version: 1, etag: `BwY${p.projectNumber.slice(0, 6)}Q=`, bindings } };
    },
  },
  'cloudresourcemanager:v3:organizations.search': {
    rpc: `${RPC}.Organizations.SearchOrganizations`,
    handle(call) {
      const q = call.query.get('query') ?? '';
      const domain = /domain:(\S+)/.exec(q)?.[1];
      const orgs = call.data.organizations.filter((o) => o.domain === call.user.hd && (!domain || o.domain === domain));
      return {
        body: orgs.length
          ? {
              organizations: orgs.map((o) => ({
                name: o.name,
                displayName: o.displayName,
                directoryCustomerId: o.directoryCustomerId,
                state: 'ACTIVE',
                createTime: o.createTime,
                updateTime: o.createTime,
                etag: 'BwWWLJb1Ql4=',
              })),
            }
          : {},
      };
    },
  },
  'cloudresourcemanager:v3:folders.list': {
    rpc: `${RPC}.Folders.ListFolders`,
    handle(call) {
      const parent = call.query.get('parent');
      if (!parent || !/^(organizations|folders)\/\d+$/.test(parent))
        throw invalidArgument('Request contains an invalid argument.');
      const org = call.data.organizations.find((o) => o.domain === call.user.hd);
      const folders = org ? call.data.folders.filter((f) => f.parent === parent) : [];
      if (!org && parent.startsWith('organizations/')) throw callerDenied();
      const page = requestedPage(call.query, folders, { default: 100, max: 100 }, `folders:${parent}`, badPageSize);
      return {
        body: {
          ...(page.items.length
            ? {
                folders: page.items.map((f) => ({
                  name: f.name,
                  parent: f.parent,
                  displayName: f.displayName,
                  state: 'ACTIVE',
                  createTime: f.createTime,
                  updateTime: f.createTime,
                  etag: 'BwWWLJb1Ql4=',
                })),
              }
            : {}),
          ...nextPageField(page),
        },
      };
    },
  },
};
