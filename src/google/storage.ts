/** Cloud Storage JSON API v1: bucket and object listing. */
import { z } from 'zod';
import { callEndpoint, type GoogleCallContext } from './call.js';
import { nextPage } from './paging.js';
import { checkBucketName, checkPageSize, checkPageToken, checkProjectId, checkText } from './ids.js';

export const BucketSchema = z.looseObject({
  name: z.string(),
  id: z.string().optional(),
  location: z.string().optional(),
  locationType: z.string().optional(),
  storageClass: z.string().optional(),
  timeCreated: z.string().optional(),
  updated: z.string().optional(),
  projectNumber: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  iamConfiguration: z.record(z.string(), z.unknown()).optional(),
});
export type Bucket = z.infer<typeof BucketSchema>;

const BucketListSchema = z.looseObject({
  items: z.array(BucketSchema).optional(),
  nextPageToken: z.string().optional(),
});

export interface ListBucketsParams {
  project: string;
  pageToken?: string | undefined;
  /** 1..1000 */
  maxResults?: number | undefined;
}

export interface ListBucketsResult {
  buckets: Bucket[];
  nextPageToken?: string;
}

/** `GET b?project=` */
export async function listBuckets(ctx: GoogleCallContext, params: ListBucketsParams): Promise<ListBucketsResult> {
  const answer = await callEndpoint(ctx, 'storage:v1:buckets.list', {
    query: {
      project: checkProjectId(params.project, 'project'),
      maxResults: checkPageSize(params.maxResults, 1000, 'maxResults'),
      pageToken: checkPageToken(params.pageToken),
    },
    schema: BucketListSchema,
  });
  return {
    buckets: answer.items ?? [],
    ...nextPage(answer),
  };
}

export const StorageObjectSchema = z.looseObject({
  name: z.string(),
  bucket: z.string().optional(),
  id: z.string().optional(),
  /** uint64 as a decimal string */
  size: z.string().optional(),
  contentType: z.string().optional(),
  storageClass: z.string().optional(),
  timeCreated: z.string().optional(),
  updated: z.string().optional(),
  md5Hash: z.string().optional(),
  crc32c: z.string().optional(),
  generation: z.string().optional(),
});
export type StorageObject = z.infer<typeof StorageObjectSchema>;

const ObjectListSchema = z.looseObject({
  items: z.array(StorageObjectSchema).optional(),
  prefixes: z.array(z.string()).optional(),
  nextPageToken: z.string().optional(),
});

export interface ListObjectsParams {
  bucket: string;
  prefix?: string | undefined;
  /** e.g. "/" to list one "folder" level; `prefixes` then holds the sub-folders. */
  delimiter?: string | undefined;
  pageToken?: string | undefined;
  /** 1..1000 */
  maxResults?: number | undefined;
}

export interface ListObjectsResult {
  objects: StorageObject[];
  prefixes: string[];
  nextPageToken?: string;
}

/** `GET b/{bucket}/o` */
export async function listObjects(ctx: GoogleCallContext, params: ListObjectsParams): Promise<ListObjectsResult> {
  const answer = await callEndpoint(ctx, 'storage:v1:objects.list', {
    pathParams: { bucket: checkBucketName(params.bucket) },
    query: {
      prefix: checkText(params.prefix, 1024, 'prefix'),
      delimiter: checkText(params.delimiter, 16, 'delimiter'),
      maxResults: checkPageSize(params.maxResults, 1000, 'maxResults'),
      pageToken: checkPageToken(params.pageToken),
    },
    schema: ObjectListSchema,
  });
  return {
    objects: answer.items ?? [],
    prefixes: answer.prefixes ?? [],
    ...nextPage(answer),
  };
}
