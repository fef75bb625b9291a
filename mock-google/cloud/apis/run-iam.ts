// run v2: projects.locations.services.getIamPolicy (who holds roles/run.invoker on a service).
import { findProject, hasAnyRole } from '../access.js';
import { callerDenied, invalidArgument, notFound } from '../errors.js';
import { hexId } from '../fixtures.js';
import type { HandlerTable } from '../types.js';

export const ROLES_READ_RUN_POLICY = [
  'roles/owner',
  'roles/editor',
  'roles/viewer',
  'roles/run.admin',
  'roles/run.viewer',
  'roles/iam.securityReviewer',
];

export const runIamHandlers: HandlerTable = {
  'run:v2:projects.locations.services.getIamPolicy': {
    rpc: 'google.cloud.run.v2.Services.GetIamPolicy',
    handle(call) {
      const id = call.params['projectsId'] ?? '';
      const location = call.params['locationsId'] ?? '';
      const name = call.params['servicesId'] ?? '';
      if (!/^[a-z]+-[a-z]+\d+$/.test(location)) throw invalidArgument(`Location '${location}' is not valid.`);
      const project = findProject(call.data, id);
      if (!project) throw notFound(`Project '${id}' not found.`);
      if (!hasAnyRole(project, call.user, ROLES_READ_RUN_POLICY)) throw callerDenied();
      const s = call.data.runServices.find(
        (x) => x.project === project.projectId && x.region === location && x.name === name,
      );
      if (!s)
        throw notFound(
          `Resource 'projects/${project.projectId}/locations/${location}/services/${name}' was not found.`,
        );
      const etag = Buffer.from(hexId(`run-policy/${s.uid}`, 16), 'hex').toString('base64');
      // Google answers an empty policy with only its etag.
      if (!s.invokers || s.invokers.length === 0) return { body: { etag } };
      return { body: { version: 1, etag, bindings: [{ role: 'roles/run.invoker', members: s.invokers }] } };
    },
  },
};
