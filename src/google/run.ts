/** Cloud Run Admin API v2: services in one region. */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { nextPage, pageQuery } from './paging.js';
import { PolicySchema, iamPolicyOf, type IamPolicy } from './resourcemanager.js';
import { checkProjectId, checkRegion, checkRunServiceName } from './ids.js';

export const RunServiceSchema = z.looseObject({
  /** `projects/<project>/locations/<region>/services/<id>` */
  name: z.string(),
  uid: z.string().optional(),
  description: z.string().optional(),
  uri: z.string().optional(),
  urls: z.array(z.string()).optional(),
  creator: z.string().optional(),
  lastModifier: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  ingress: z.string().optional(),
  launchStage: z.string().optional(),
  latestReadyRevision: z.string().optional(),
  latestCreatedRevision: z.string().optional(),
  reconciling: z.boolean().optional(),
  terminalCondition: z.record(z.string(), z.unknown()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  /** The revision template; `serviceAccount` is the identity revisions run as (absent: the default compute account). */
  template: z.looseObject({ serviceAccount: z.string().optional() }).optional(),
  /** True when Cloud Run skips the invoker IAM check: anyone who can reach the URL may invoke the service. */
  invokerIamDisabled: z.boolean().optional(),
});
export type RunService = z.infer<typeof RunServiceSchema>;

const ListServicesResponseSchema = z.looseObject({
  services: z.array(RunServiceSchema).optional(),
  nextPageToken: z.string().optional(),
  unreachable: z.array(z.string()).optional(),
});

export interface ListServicesParams {
  projectId: string;
  region: string;
  pageToken?: string | undefined;
  /** 1..1000 */
  pageSize?: number | undefined;
}

export interface ListServicesResult {
  services: RunService[];
  nextPageToken?: string;
}

/** `GET v2/projects/{projectsId}/locations/{locationsId}/services` */
export async function listServices(ctx: GoogleCallContext, params: ListServicesParams): Promise<ListServicesResult> {
  const answer = await callEndpoint(ctx, 'run:v2:projects.locations.services.list', {
    pathParams: { projectsId: checkProjectId(params.projectId), locationsId: checkRegion(params.region) },
    query: pageQuery(params, 1000),
    schema: ListServicesResponseSchema,
  });
  return {
    services: answer.services ?? [],
    ...nextPage(answer),
  };
}

export interface GetServiceIamPolicyParams {
  projectId: string;
  region: string;
  /** The service's short name (last segment of its resource name). */
  service: string;
}

/** `GET v2/projects/{projectsId}/locations/{locationsId}/services/{servicesId}:getIamPolicy` (who may invoke it). */
export async function getServiceIamPolicy(
  ctx: GoogleCallContext,
  params: GetServiceIamPolicyParams,
): Promise<IamPolicy> {
  const answer = await callEndpoint(ctx, 'run:v2:projects.locations.services.getIamPolicy', {
    pathParams: {
      projectsId: checkProjectId(params.projectId),
      locationsId: checkRegion(params.region),
      servicesId: checkRunServiceName(params.service),
    },
    schema: PolicySchema,
  });
  return iamPolicyOf(answer);
}
