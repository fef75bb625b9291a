// Service accounts of a project, and the keys of one (user-managed keys are long-lived credentials).
import { z } from 'zod';
import {
  listServiceAccountKeys,
  listServiceAccounts,
  type ServiceAccount,
  type ServiceAccountKey,
} from '../../google/index.js';
import { ids } from '../../google/ids.js';
import { actions, code, fmtDate, lastSegment, text, withQuery } from '../cells.js';
import type { ListPageSpec } from '../spec.js';
import { type Column, projectListPage, rowOf } from './project-field.js';

export const serviceAccountsPage = projectListPage<ServiceAccount>({
  feature: 'service-accounts',
  intro: 'Service accounts of a project; open one to see its keys.',
  noun: 'service accounts',
  columns: [
    { header: 'E-mail', cell: (a) => code(a.email ?? '') },
    { header: 'Name', cell: (a) => text(a.displayName) },
    { header: 'Disabled', cell: (a) => text(a.disabled ? 'yes' : 'no') },
    {
      header: '',
      cell: (a, project) =>
        actions({
          href: withQuery(`/service-accounts/${encodeURIComponent(a.email ?? '')}/keys`, { project }),
          label: `Keys of ${a.email}`,
        }),
    },
  ],
  list: async (google, projectId, pageToken) => {
    const out = await listServiceAccounts(google, { projectId, pageToken, pageSize: 20 });
    return { items: out.accounts, nextPageToken: out.nextPageToken };
  },
});

const keysInput = z.object({ email: ids.serviceAccountEmail, project: ids.project });

const keyColumns: readonly Column<ServiceAccountKey>[] = [
  { header: 'Key ID', cell: (k) => code(lastSegment(k.name)) },
  { header: 'Type', cell: (k) => text(k.keyType) },
  { header: 'Valid from', cell: (k) => text(fmtDate(k.validAfterTime)) },
  { header: 'Valid until', cell: (k) => text(fmtDate(k.validBeforeTime)) },
];

export const serviceAccountKeysPage: ListPageSpec<z.infer<typeof keysInput>> = {
  kind: 'list',
  feature: 'service-accounts',
  route: '/service-accounts/:email/keys',
  input: keysInput,
  columns: keyColumns.map((c) => c.header),
  title: ({ q }) => `Keys of ${q.email}`,
  intro: () => 'User-managed keys are long-lived credentials: review old ones.',
  back: ({ q }) => ({ href: withQuery('/service-accounts', { project: q.project }), label: 'All service accounts' }),
  empty: () => 'This service account has no keys.',
  async load(google, { q }) {
    const out = await listServiceAccountKeys(google, { projectId: q.project, serviceAccountEmail: q.email });
    return { rows: out.keys.map((k) => rowOf(keyColumns, k, q.project)) };
  },
};
