// Cloud Run: a project's services in one region.
import { z } from 'zod';
import { listServices } from '../../google/index.js';
import { emptyToUndefined, ids } from '../../google/ids.js';
import { code, fmtDate, lastSegment, text } from '../cells.js';
import type { ListPageSpec } from '../spec.js';
import { projectField, projectQuery } from './project-field.js';

const runInput = projectQuery.extend({ region: z.preprocess(emptyToUndefined, ids.region.optional()) });
const DEFAULT_REGION = 'us-central1';

export const cloudRunPage: ListPageSpec<z.infer<typeof runInput>> = {
  kind: 'list',
  feature: 'cloud-run',
  route: '/cloud-run',
  input: runInput,
  project: true,
  title: () => 'Cloud Run services',
  intro: () => 'Cloud Run services of a project in one region.',
  form: ({ q, project }) => [
    projectField(project),
    { name: 'region', label: 'Region', value: q.region ?? DEFAULT_REGION, placeholder: DEFAULT_REGION },
  ],
  columns: ['Service', 'URL', 'Last deployed by', 'Updated'],
  empty: ({ q, project }) =>
    project ? `No Cloud Run services in ${project} (${q.region ?? DEFAULT_REGION}).` : 'Choose a project.',
  keep: ({ q, project }) => ({ project, region: q.region ?? DEFAULT_REGION }),
  async load(google, { q, project }) {
    const out = await listServices(google, {
      projectId: project!,
      region: q.region ?? DEFAULT_REGION,
      pageToken: q.pageToken,
      pageSize: 50,
    });
    return {
      rows: out.services.map((s) => [
        code(lastSegment(s.name)),
        text(s.uri),
        text(s.lastModifier ?? s.creator),
        text(fmtDate(s.updateTime)),
      ]),
      nextPageToken: out.nextPageToken,
    };
  },
};
