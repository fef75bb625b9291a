// Storage: a project's buckets, and the objects of one bucket (folder by folder).
import { z } from 'zod';
import { listBuckets, listObjects } from '../../google/index.js';
import { emptyToUndefined, ids } from '../../google/ids.js';
import { code, fmtBytes, fmtDate, text } from '../cells.js';
import type { ListPageSpec } from '../spec.js';
import { projectListPage } from './project-field.js';

export const bucketsPage = projectListPage({
  feature: 'buckets',
  route: '/buckets',
  title: 'Storage buckets',
  intro: 'Cloud Storage buckets of a project.',
  columns: ['Bucket', 'Location', 'Storage class', 'Created'],
  noun: 'buckets',
  async load(google, { q, project }) {
    const out = await listBuckets(google, { project: project!, pageToken: q.pageToken, maxResults: 100 });
    return {
      rows: out.buckets.map((b) => [
        code(b.name, `/buckets/${encodeURIComponent(b.name)}`),
        text(b.location),
        text(b.storageClass),
        text(fmtDate(b.timeCreated)),
      ]),
      nextPageToken: out.nextPageToken,
    };
  },
});

const objectsInput = z.object({
  bucket: ids.bucket,
  prefix: z.preprocess(emptyToUndefined, ids.text(1024).optional()),
  pageToken: ids.pageToken,
});
const here = (bucket: string) => `/buckets/${encodeURIComponent(bucket)}`;

export const objectsPage: ListPageSpec<z.infer<typeof objectsInput>> = {
  kind: 'list',
  feature: 'buckets',
  route: '/buckets/:bucket',
  input: objectsInput,
  title: ({ q }) => `Objects in ${q.bucket}`,
  intro: ({ q }) => (q.prefix ? `Folder ${q.prefix}` : undefined),
  columns: ['Name', 'Size', 'Type', 'Updated'],
  back: () => ({ href: '/buckets', label: 'All buckets' }),
  empty: () => 'This bucket holds no objects here.',
  keep: ({ q }) => ({ prefix: q.prefix }),
  async load(google, { q }) {
    const out = await listObjects(google, {
      bucket: q.bucket,
      prefix: q.prefix,
      delimiter: '/',
      pageToken: q.pageToken,
      maxResults: 100,
    });
    return {
      rows: [
        ...out.prefixes.map((p) => [
          code(p, `${here(q.bucket)}?prefix=${encodeURIComponent(p)}`),
          text('folder'),
          text(''),
          text(''),
        ]),
        ...out.objects.map((o) => [
          code(o.name),
          text(fmtBytes(o.size)),
          text(o.contentType),
          text(fmtDate(o.updated)),
        ]),
      ],
      nextPageToken: out.nextPageToken,
    };
  },
};
