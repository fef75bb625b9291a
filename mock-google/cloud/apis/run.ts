// run v2: projects.locations.services.list (a region, or `-` for all).
import { canSee, findProject } from '../access.js';
import { callerDenied, invalidArgument, notFound } from '../errors.js';
import { hexId, type Project, type RunService } from '../fixtures.js';
import { listBody, requestedPage } from '../paging.js';
import type { HandlerTable } from '../types.js';

const REGION_CODES: Record<string, string> = { 'us-central1': 'uc', 'europe-west1': 'ew', 'asia-northeast1': 'an' };

function serviceJson(s: RunService, project: Project): Record<string, unknown> {
  const name = `projects/${project.projectId}/locations/${s.region}/services/${s.name}`;
  const revision = `${s.name}-00042-${hexId(`rev/${s.uid}`, 3)}`;
  const cond = (type: string) => ({ type, state: 'CONDITION_SUCCEEDED', lastTransitionTime: s.createTime });
  const uri = `https://${s.name}-${hexId(`url/${s.uid}`, 10)}-${REGION_CODES[s.region] ?? 'xx'}.a.run.app`;
  return {
    name,
    uid: s.uid,
    generation: '42',
    createTime: s.createTime,
    updateTime: s.createTime,
    creator: s.creator,
    lastModifier: s.creator,
    ingress: s.ingress,
    ...(s.invokerIamDisabled ? { invokerIamDisabled: true } : {}),
    launchStage: 'GA',
    template: {
      scaling: { maxInstanceCount: 100 },
      timeout: '300s',
      ...(s.serviceAccount === null
        ? {}
        : { serviceAccount: s.serviceAccount ?? `${project.projectNumber}-compute@developer.gserviceaccount.com` }),
      containers: [
        {
          image: s.image,
          resources: { limits: { cpu: '1000m', memory: '512Mi' }, cpuIdle: true, startupCpuBoost: true },
          ports: [{ name: 'http1', containerPort: 8080 }],
        },
      ],
      maxInstanceRequestConcurrency: 80,
    },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    observedGeneration: '42',
    terminalCondition: cond('Ready'),
    conditions: [cond('RoutesReady'), cond('ConfigurationsReady')],
    latestReadyRevision: `${name}/revisions/${revision}`,
    latestCreatedRevision: `${name}/revisions/${revision}`,
    trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    uri,
    urls: [uri],
    etag: `"${hexId(`etag/${s.uid}`, 16)}"`,
  };
}

export const runHandlers: HandlerTable = {
  'run:v2:projects.locations.services.list': {
    rpc: 'google.cloud.run.v2.Services.ListServices',
    handle(call) {
      const id = call.params['projectsId'] ?? '';
      const location = call.params['locationsId'] ?? '';
      if (location !== '-' && !/^[a-z]+-[a-z]+\d+$/.test(location))
        throw invalidArgument(`Location '${location}' is not valid.`);
      const project = findProject(call.data, id);
      if (!project) throw notFound(`Project '${id}' not found.`);
      if (!canSee(project, call.user)) throw callerDenied();
      const all = call.data.runServices.filter(
        (s) => s.project === project.projectId && (location === '-' || s.region === location),
      );
      const page = requestedPage(call.query, all, { default: 100, max: 1000 }, `run:${project.projectId}:${location}`);
      return { body: listBody(page, 'services', (s) => serviceJson(s, project)) };
    },
  },
};
