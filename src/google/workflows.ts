/** Workflows API v1: the workflows of a project in one region, and one workflow with its source. */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { nextPage, pageQuery } from './paging.js';
import { checkProjectId, checkRegion, checkWorkflowId } from './ids.js';

export const WorkflowSchema = z.looseObject({
  /** `projects/<project>/locations/<region>/workflows/<id>` */
  name: z.string(),
  description: z.string().optional(),
  state: z.string().optional(),
  revisionId: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  revisionCreateTime: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  /**
   * `projects/<project>/serviceAccounts/<email or unique id>` or just the account; absent: the project's
   * default compute service account (Discovery, Workflow.serviceAccount).
   */
  serviceAccount: z.string().optional(),
  /** The workflow's YAML or JSON definition (at most 128 KB). */
  sourceContents: z.string().optional(),
});
export type Workflow = z.infer<typeof WorkflowSchema>;

const ListWorkflowsResponseSchema = z.looseObject({
  workflows: z.array(WorkflowSchema).optional(),
  nextPageToken: z.string().optional(),
  unreachable: z.array(z.string()).optional(),
});

export interface ListWorkflowsParams {
  projectId: string;
  /** A region such as `us-central1`; the API lists one location at a time. */
  region: string;
  pageToken?: string | undefined;
  /** 1..1000 (Google's default is 500). */
  pageSize?: number | undefined;
}

export interface ListWorkflowsResult {
  workflows: Workflow[];
  nextPageToken?: string;
  unreachable?: string[];
}

/** `GET v1/projects/{projectsId}/locations/{locationsId}/workflows` */
export async function listWorkflows(ctx: GoogleCallContext, params: ListWorkflowsParams): Promise<ListWorkflowsResult> {
  const answer = await callEndpoint(ctx, 'workflows:v1:projects.locations.workflows.list', {
    pathParams: { projectsId: checkProjectId(params.projectId), locationsId: checkRegion(params.region) },
    query: pageQuery(params, 1000),
    schema: ListWorkflowsResponseSchema,
  });
  return {
    workflows: answer.workflows ?? [],
    ...nextPage(answer),
    ...(answer.unreachable && answer.unreachable.length > 0 ? { unreachable: answer.unreachable } : {}),
  };
}

export interface GetWorkflowParams {
  projectId: string;
  region: string;
  workflowId: string;
}

/** `GET v1/projects/{projectsId}/locations/{locationsId}/workflows/{workflowsId}` (includes `sourceContents`). */
export async function getWorkflow(ctx: GoogleCallContext, params: GetWorkflowParams): Promise<Workflow> {
  return callEndpoint(ctx, 'workflows:v1:projects.locations.workflows.get', {
    pathParams: {
      projectsId: checkProjectId(params.projectId),
      locationsId: checkRegion(params.region),
      workflowsId: checkWorkflowId(params.workflowId),
    },
    schema: WorkflowSchema,
  });
}
