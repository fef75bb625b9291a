// workflows v1: no fixture workflows; list answers an empty page, get a 404 (enough for the live check).
import { canSee, findProject } from '../access.js';
import { callerDenied, notFound } from '../errors.js';
import type { HandlerTable } from '../types.js';

const RPC = 'google.cloud.workflows.v1.Workflows';

export const workflowsHandlers: HandlerTable = {
  'workflows:v1:projects.locations.workflows.list': {
    rpc: `${RPC}.ListWorkflows`,
    handle(call) {
      const project = findProject(call.data, call.params['projectsId'] ?? '');
      if (!project || !canSee(project, call.user)) throw callerDenied();
      return { body: {} };
    },
  },
  'workflows:v1:projects.locations.workflows.get': {
    rpc: `${RPC}.GetWorkflow`,
    handle(call) {
      const project = findProject(call.data, call.params['projectsId'] ?? '');
      if (!project || !canSee(project, call.user)) throw callerDenied();
      const name = `projects/${call.params['projectsId'] ?? ''}/locations/${call.params['locationsId'] ?? ''}/workflows/${call.params['workflowsId'] ?? ''}`;
      throw notFound(`Resource '${name}' was not found`);
    },
  },
};
