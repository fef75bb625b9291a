/** IAM v1: service accounts and their keys. */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { nextPage, pageQuery } from './paging.js';
import { checkProjectId, checkServiceAccountEmail } from './ids.js';

export const ServiceAccountSchema = z.looseObject({
  /** `projects/<project>/serviceAccounts/<email>` */
  name: z.string().optional(),
  email: z.string(),
  projectId: z.string().optional(),
  uniqueId: z.string().optional(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  oauth2ClientId: z.string().optional(),
  disabled: z.boolean().optional(),
  etag: z.string().optional(),
});
export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;

const ListServiceAccountsResponseSchema = z.looseObject({
  accounts: z.array(ServiceAccountSchema).optional(),
  nextPageToken: z.string().optional(),
});

export interface ListServiceAccountsParams {
  projectId: string;
  pageToken?: string | undefined;
  /** 1..100 */
  pageSize?: number | undefined;
}

export interface ListServiceAccountsResult {
  accounts: ServiceAccount[];
  nextPageToken?: string;
}

/** `GET v1/projects/{projectsId}/serviceAccounts` */
export async function listServiceAccounts(
  ctx: GoogleCallContext,
  params: ListServiceAccountsParams,
): Promise<ListServiceAccountsResult> {
  const answer = await callEndpoint(ctx, 'iam:v1:projects.serviceAccounts.list', {
    pathParams: { projectsId: checkProjectId(params.projectId) },
    query: pageQuery(params, 100),
    schema: ListServiceAccountsResponseSchema,
  });
  return {
    accounts: answer.accounts ?? [],
    ...nextPage(answer),
  };
}

export const ServiceAccountKeySchema = z.looseObject({
  /** `projects/<project>/serviceAccounts/<email>/keys/<keyId>` */
  name: z.string(),
  keyAlgorithm: z.string().optional(),
  keyOrigin: z.string().optional(),
  keyType: z.string().optional(),
  validAfterTime: z.string().optional(),
  validBeforeTime: z.string().optional(),
  disabled: z.boolean().optional(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKeySchema>;

const ListServiceAccountKeysResponseSchema = z.looseObject({
  keys: z.array(ServiceAccountKeySchema).optional(),
});

export interface ListServiceAccountKeysParams {
  projectId: string;
  serviceAccountEmail: string;
  /** Restrict to USER_MANAGED or SYSTEM_MANAGED keys; both when absent. */
  keyTypes?: ReadonlyArray<'USER_MANAGED' | 'SYSTEM_MANAGED'> | undefined;
}

export interface ListServiceAccountKeysResult {
  keys: ServiceAccountKey[];
}

/** `GET v1/projects/{projectsId}/serviceAccounts/{serviceAccountsId}/keys` (metadata only, no key material). */
export async function listServiceAccountKeys(
  ctx: GoogleCallContext,
  params: ListServiceAccountKeysParams,
): Promise<ListServiceAccountKeysResult> {
  const keyTypes = params.keyTypes?.filter((t) => t === 'USER_MANAGED' || t === 'SYSTEM_MANAGED');
  const answer = await callEndpoint(ctx, 'iam:v1:projects.serviceAccounts.keys.list', {
    pathParams: {
      projectsId: checkProjectId(params.projectId),
      serviceAccountsId: checkServiceAccountEmail(params.serviceAccountEmail),
    },
    query: { keyTypes: keyTypes && keyTypes.length > 0 ? keyTypes : undefined },
    schema: ListServiceAccountKeysResponseSchema,
  });
  return { keys: answer.keys ?? [] };
}
