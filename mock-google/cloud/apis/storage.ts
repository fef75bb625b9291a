// storage v1: buckets.list, buckets.get, objects.list (prefix, delimiter, startOffset/endOffset, paging).
import { createHash } from 'node:crypto';
import { canSee, findProject } from '../access.js';
import { ApiError, invalidArgument, legacyForbidden, notFound } from '../errors.js';
import type { Bucket, StorageObject } from '../fixtures.js';
import { nextPageField, pageSizeOf, paginate } from '../paging.js';
import type { ApiCall, HandlerTable } from '../types.js';

const STORAGE_BASE = 'https://www.googleapis.com/storage/v1/';
const RPC = 'google.storage.v1.Storage';

function bucketJson(b: Bucket, projectNumber: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    selfLink: `${STORAGE_BASE}b/${b.name}`,
    id: b.name,
    name: b.name,
    projectNumber,
    metageneration: '1',
    location: b.location,
    storageClass: b.storageClass,
    etag: 'CAE=',
    timeCreated: b.timeCreated,
    updated: b.timeCreated,
    iamConfiguration: {
      bucketPolicyOnly: { enabled: true, lockedTime: '2025-01-01T00:00:00.000Z' },
      uniformBucketLevelAccess: { enabled: true, lockedTime: '2025-01-01T00:00:00.000Z' },
      publicAccessPrevention: 'enforced',
    },
    locationType: b.locationType,
    rpo: 'DEFAULT',
  };
}

function objectJson(b: Bucket, o: StorageObject): Record<string, unknown> {
  const enc = encodeURIComponent(o.name);
  const md5 = createHash('md5').update(`${b.name}/${o.name}`).digest('base64');
  return {
    kind: 'storage#object',
    id: `${b.name}/${o.name}/${o.generation}`,
    selfLink: `${STORAGE_BASE}b/${b.name}/o/${enc}`,
    mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${b.name}/o/${enc}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: b.name,
    generation: o.generation,
    metageneration: '1',
    contentType: o.contentType,
    storageClass: b.storageClass,
    size: String(o.size),
    md5Hash: md5,
    crc32c: md5.slice(0, 6) + '==',
    etag: `C${o.generation.slice(-8)}EAE=`,
    timeCreated: o.timeCreated,
    updated: o.timeCreated,
    timeStorageClassUpdated: o.timeCreated,
    timeFinalized: o.timeCreated,
  };
}

function denied(call: ApiCall, permission: string, what: string): ApiError {
  return legacyForbidden(
    `${call.user.email} does not have ${permission} access to ${what}. Permission '${permission}' denied on resource (or it may not exist).`,
  );
}

function required(name: string): ApiError {
  return new ApiError(400, {
    error: {
      code: 400,
      message: `Required parameter: ${name}`,
      errors: [{ message: `Required parameter: ${name}`, domain: 'global', reason: 'required' }],
    },
  });
}

function requireBucket(call: ApiCall, permission: string): { bucket: Bucket; projectNumber: string } {
  const name = call.params['bucket'] ?? '';
  const bucket = call.data.buckets.find((b) => b.name === name);
  if (!bucket) throw notFound('The specified bucket does not exist.');
  const project = findProject(call.data, bucket.project);
  if (!project || !canSee(project, call.user)) throw denied(call, permission, 'the Google Cloud Storage bucket');
  return { bucket, projectNumber: project.projectNumber };
}

const badMax = () => invalidArgument('Invalid argument.', 'invalid');

export const storageHandlers: HandlerTable = {
  'storage:v1:buckets.list': {
    rpc: `${RPC}.ListBuckets`,
    handle(call) {
      const projectParam = call.query.get('project');
      if (!projectParam) throw required('project');
      const project = findProject(call.data, projectParam);
      if (!project) throw notFound('The requested project was not found.');
      if (!canSee(project, call.user)) throw denied(call, 'storage.buckets.list', 'the Google Cloud project');
      const prefix = call.query.get('prefix') ?? '';
      const all = call.data.buckets
        .filter((b) => b.project === project.projectId && b.name.startsWith(prefix))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const page = paginate(
        all,
        pageSizeOf(call.query.get('maxResults'), 1000, 1000, badMax),
        call.query.get('pageToken'),
        `buckets:${project.projectId}:${prefix}`,
      );
      return {
        body: {
          kind: 'storage#buckets',
          ...nextPageField(page),
          ...(page.items.length ? { items: page.items.map((b) => bucketJson(b, project.projectNumber)) } : {}),
        },
      };
    },
  },
  'storage:v1:buckets.get': {
    rpc: `${RPC}.GetBucket`,
    handle(call) {
      const { bucket, projectNumber } = requireBucket(call, 'storage.buckets.get');
      return { body: bucketJson(bucket, projectNumber) };
    },
  },
  'storage:v1:objects.list': {
    rpc: `${RPC}.ListObjects`,
    handle(call) {
      const { bucket } = requireBucket(call, 'storage.objects.list');
      const prefix = call.query.get('prefix') ?? '';
      const delimiter = call.query.get('delimiter') ?? '';
      const start = call.query.get('startOffset') ?? '';
      const end = call.query.get('endOffset');
      // Objects and prefixes are paged together, in name order, like GCS.
      const entries: { name: string; object?: StorageObject }[] = [];
      const seen = new Set<string>();
      for (const o of bucket.objects) {
        if (!o.name.startsWith(prefix) || o.name < start || (end && o.name >= end)) continue;
        if (delimiter) {
          const rest = o.name.slice(prefix.length);
          const at = rest.indexOf(delimiter);
          if (at >= 0) {
            const p = prefix + rest.slice(0, at + delimiter.length);
            if (!seen.has(p)) {
              seen.add(p);
              entries.push({ name: p });
            }
            continue;
          }
        }
        entries.push({ name: o.name, object: o });
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const page = paginate(
        entries,
        pageSizeOf(call.query.get('maxResults'), 1000, 1000, badMax),
        call.query.get('pageToken'),
        `objects:${bucket.name}:${prefix}:${delimiter}:${start}:${end ?? ''}`,
      );
      const items = page.items.flatMap((e) => (e.object ? [objectJson(bucket, e.object)] : []));
      const prefixes = page.items.filter((e) => !e.object).map((e) => e.name);
      return {
        body: {
          kind: 'storage#objects',
          ...nextPageField(page),
          ...(prefixes.length ? { prefixes } : {}),
          ...(items.length ? { items } : {}),
        },
      };
    },
  },
};
