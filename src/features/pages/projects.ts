// Projects: the projects the account can see, and who holds which role on one (its IAM policy).
import { z } from 'zod';
import { getIamPolicy, searchProjects } from '../../google/index.js';
import { ids } from '../../google/ids.js';
import { actions, code, fmtDate, text } from '../cells.js';
import type { ListPageSpec } from '../spec.js';

export const projectsPage: ListPageSpec<{ pageToken?: string | undefined }> = {
  kind: 'list',
  feature: 'projects',
  route: '/projects',
  input: z.object({ pageToken: ids.pageToken }),
  title: () => 'Projects',
  intro: () => 'The Google Cloud projects your account can see.',
  columns: ['Project ID', 'Name', 'State', 'Created', ''],
  empty: () => 'Your account sees no projects.',
  async load(google, { q }) {
    const out = await searchProjects(google, { pageToken: q.pageToken, pageSize: 50 });
    return {
      rows: out.projects.map((p) => [
        code(p.projectId ?? ''),
        text(p.displayName),
        text(p.state),
        text(fmtDate(p.createTime)),
        actions({
          href: `/projects/${encodeURIComponent(p.projectId ?? '')}/iam`,
          label: `IAM policy of ${p.projectId}`,
        }),
      ]),
      nextPageToken: out.nextPageToken,
    };
  },
};

export const projectIamPage: ListPageSpec<{ projectId: string }> = {
  kind: 'list',
  feature: 'projects',
  route: '/projects/:projectId/iam',
  input: z.object({ projectId: ids.project }),
  title: ({ q }) => `IAM policy of ${q.projectId}`,
  intro: () => 'Who holds which role on this project.',
  columns: ['Role', 'Members'],
  back: () => ({ href: '/projects', label: 'All projects' }),
  empty: () => 'This project has no IAM bindings.',
  async load(google, { q }) {
    const policy = await getIamPolicy(google, { projectId: q.projectId });
    return { rows: policy.bindings.map((b) => [code(b.role ?? ''), text((b.members ?? []).join(', '))]) };
  },
};
