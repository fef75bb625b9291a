// Service accounts of a project, and the keys of one (user-managed keys are long-lived credentials).
import { z } from 'zod';
import { listServiceAccountKeys, listServiceAccounts } from '../../google/index.js';
import { ids } from '../../google/ids.js';
import { actions, code, fmtDate, lastSegment, text, withQuery } from '../cells.js';
import type { ListPageSpec } from '../spec.js';
import { projectListPage } from './project-field.js';

export const serviceAccountsPage = projectListPage({
  feature: 'service-accounts',
  route: '/service-accounts',
  title: 'Service accounts',
  intro: 'Service accounts of a project; open one to see its keys.',
  columns: ['E-mail', 'Name', 'Disabled', ''],
  noun: 'service accounts',
  async load(google, { q, project }) {
    const out = await listServiceAccounts(google, { projectId: project!, pageToken: q.pageToken, pageSize: 20 });
    return {
      rows: out.accounts.map((a) => [
        code(a.email ?? ''),
        text(a.displayName),
        text(a.disabled ? 'yes' : 'no'),
        actions({
          href: withQuery(`/service-accounts/${encodeURIComponent(a.email ?? '')}/keys`, { project }),
          label: `Keys of ${a.email}`,
        }),
      ]),
      nextPageToken: out.nextPageToken,
    };
  },
});

const keysInput = z.object({ email: ids.serviceAccountEmail, project: ids.project });

export const serviceAccountKeysPage: ListPageSpec<z.infer<typeof keysInput>> = {
  kind: 'list',
  feature: 'service-accounts',
  route: '/service-accounts/:email/keys',
  input: keysInput,
  title: ({ q }) => `Keys of ${q.email}`,
  intro: () => 'User-managed keys are long-lived credentials: review old ones.',
  columns: ['Key ID', 'Type', 'Valid from', 'Valid until'],
  back: ({ q }) => ({ href: withQuery('/service-accounts', { project: q.project }), label: 'All service accounts' }),
  empty: () => 'This service account has no keys.',
  async load(google, { q }) {
    const out = await listServiceAccountKeys(google, { projectId: q.project, serviceAccountEmail: q.email });
    return {
      rows: out.keys.map((k) => [
        code(lastSegment(k.name)),
        text(k.keyType),
        text(fmtDate(k.validAfterTime)),
        text(fmtDate(k.validBeforeTime)),
      ]),
    };
  },
};
