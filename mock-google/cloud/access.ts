// Who may see what: project lookup and a small role → permission model over the fixture IAM policies.
import type { FixtureUser } from '../users.js';
import type { CloudData, Project } from './fixtures.js';

export const ROLES_READ_IAM_POLICY = [
  'roles/owner',
  'roles/editor',
  'roles/viewer',
  'roles/iam.securityReviewer',
  'roles/resourcemanager.projectIamAdmin',
];
export const ROLES_OPERATE_VMS = [
  'roles/owner',
  'roles/editor',
  'roles/compute.admin',
  'roles/compute.instanceAdmin.v1',
];
export const ROLES_LIST_SERVICE_ACCOUNTS = [
  'roles/owner',
  'roles/editor',
  'roles/viewer',
  'roles/iam.serviceAccountViewer',
  'roles/iam.securityReviewer',
];

/** By project id or number. */
export function findProject(data: CloudData, idOrNumber: string): Project | undefined {
  return data.projects.find((p) => p.projectId === idOrNumber || p.projectNumber === idOrNumber);
}

export function rolesOf(project: Project, user: FixtureUser): string[] {
  const member = `user:${user.email}`;
  return project.bindings.filter((b) => b.members.includes(member)).map((b) => b.role);
}

export function canSee(project: Project, user: FixtureUser): boolean {
  return rolesOf(project, user).length > 0;
}

export function hasAnyRole(project: Project, user: FixtureUser, roles: readonly string[]): boolean {
  return rolesOf(project, user).some((r) => roles.includes(r));
}
