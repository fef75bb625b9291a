/** Cloud Resource Manager v3: project search and project IAM policy. */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { nextPage, pageQuery } from './paging.js';
import { checkProjectId, checkText } from './ids.js';

export const ProjectSchema = z.looseObject({
  /** `projects/<number>` */
  name: z.string(),
  projectId: z.string(),
  displayName: z.string().optional(),
  state: z.string().optional(),
  parent: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  etag: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type Project = z.infer<typeof ProjectSchema>;

const SearchProjectsResponseSchema = z.looseObject({
  projects: z.array(ProjectSchema).optional(),
  nextPageToken: z.string().optional(),
});

export interface SearchProjectsParams {
  pageToken?: string | undefined;
  /** 1..500 */
  pageSize?: number | undefined;
  /** Resource Manager search query, e.g. `state:ACTIVE`. */
  query?: string | undefined;
}

export interface SearchProjectsResult {
  projects: Project[];
  nextPageToken?: string;
}

/** `GET v3/projects:search` */
export async function searchProjects(
  ctx: GoogleCallContext,
  params: SearchProjectsParams = {},
): Promise<SearchProjectsResult> {
  const answer = await callEndpoint(ctx, 'cloudresourcemanager:v3:projects.search', {
    query: {
      query: checkText(params.query, 2048, 'query'),
      ...pageQuery(params, 500),
    },
    schema: SearchProjectsResponseSchema,
  });
  return {
    projects: answer.projects ?? [],
    ...nextPage(answer),
  };
}

export const BindingSchema = z.looseObject({
  role: z.string(),
  members: z.array(z.string()).optional(),
  condition: z
    .looseObject({
      expression: z.string().optional(),
      title: z.string().optional(),
      description: z.string().optional(),
    })
    .optional(),
});
export type Binding = z.infer<typeof BindingSchema>;

export const PolicySchema = z.looseObject({
  version: z.number().optional(),
  etag: z.string().optional(),
  bindings: z.array(BindingSchema).optional(),
  auditConfigs: z.array(z.unknown()).optional(),
});

export interface IamPolicy {
  version: number;
  etag?: string;
  bindings: Binding[];
}

/** A policy as Google sent it, with the defaults it leaves out filled in (version 1, no bindings). */
export function iamPolicyOf(answer: z.infer<typeof PolicySchema>): IamPolicy {
  return {
    version: answer.version ?? 1,
    ...(answer.etag ? { etag: answer.etag } : {}),
    bindings: answer.bindings ?? [],
  };
}

export interface GetIamPolicyParams {
  projectId: string;
}

/** `POST v3/projects/{projectsId}:getIamPolicy` with `requestedPolicyVersion: 3` (read-only, so retried). */
export async function getIamPolicy(ctx: GoogleCallContext, params: GetIamPolicyParams): Promise<IamPolicy> {
  const answer = await callEndpoint(ctx, 'cloudresourcemanager:v3:projects.getIamPolicy', {
    pathParams: { projectsId: checkProjectId(params.projectId) },
    body: { options: { requestedPolicyVersion: 3 } },
    schema: PolicySchema,
  });
  return iamPolicyOf(answer);
}
