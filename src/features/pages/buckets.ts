// Storage: a project's buckets, and the objects of one bucket (folder by folder).
import { z } from 'zod';
import { type Bucket, listBuckets, listObjects } from '../../google/index.js';
import { emptyToUndefined, ids } from '../../google/ids.js';
import { code, fmtBytes, fmtDate, text } from '../cells.js';
import type { ListPageSpec } from '../spec.js';
import { projectListPage } from './project-field.js';

export const bucketsPage = projectListPage<Bucket>({
  feature: 'buckets',
  intro: 'Cloud Storage buckets of a project.',
  noun: 'buckets',
  columns: [
    { header: 'Bucket', cell: (b) => code(b.name, `/buckets/${encodeURIComponent(b.name)}`) },
    { header: 'Location', cell: (b) => text(b.location) },
    { header: 'Storage class', cell: (b) => text(b.storageClass) },
    { header: 'Created', cell: (b) => text(fmtDate(b.timeCreated)) },
  ],
  list: async (google, project, pageToken) => {
    const out = await listBuckets(google, { project, pageToken, maxResults: 100 });
    return { items: out.buckets, nextPageToken: out.nextPageToken };
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
