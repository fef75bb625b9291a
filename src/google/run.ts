/** Cloud Run Admin API v2: services in one region. */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { checkPageSize, checkPageToken, checkProjectId, checkRegion } from './validate.js';

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
    query: {
      pageSize: checkPageSize(params.pageSize, 1000),
      pageToken: checkPageToken(params.pageToken),
    },
    schema: ListServicesResponseSchema,
  });
  return {
    services: answer.services ?? [],
    ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
  };
}
