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
import { chartId, chartText, keyAgeChart, type KeyAge } from '../../web/charts/index.js';
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

/** Whole days since a key became valid (its creation), or undefined without a readable time. */
export function keyAgeDays(k: ServiceAccountKey, now: number): number | undefined {
  const created = k.validAfterTime ? Date.parse(k.validAfterTime) : Number.NaN;
  return Number.isFinite(created) ? Math.max(0, Math.floor((now - created) / 86_400_000)) : undefined;
}

const keyColumns = (now: number): readonly Column<ServiceAccountKey>[] => [
  { header: 'Key ID', cell: (k) => code(lastSegment(k.name)) },
  { header: 'Type', cell: (k) => text(k.keyType) },
  {
    header: 'Age',
    cell: (k) => {
      const days = keyAgeDays(k, now);
      return text(days === undefined ? '' : TEXT.days(days));
    },
  },
  { header: 'Valid from', cell: (k) => text(fmtDate(k.validAfterTime)) },
  { header: 'Valid until', cell: (k) => text(fmtDate(k.validBeforeTime)) },
];
const TEXT = chartText('en');

export const serviceAccountKeysPage: ListPageSpec<z.infer<typeof keysInput>> = {
  kind: 'list',
  feature: 'service-accounts',
  route: '/service-accounts/:email/keys',
  input: keysInput,
  columns: keyColumns(0).map((c) => c.header),
  title: ({ q }) => `Keys of ${q.email}`,
  intro: () => 'User-managed keys are long-lived credentials: review old ones.',
  back: ({ q }) => ({ href: withQuery('/service-accounts', { project: q.project }), label: 'All service accounts' }),
  empty: () => 'This service account has no keys.',
  async load(google, { q }) {
    const out = await listServiceAccountKeys(google, { projectId: q.project, serviceAccountEmail: q.email });
    const now = Date.now();
    const columns = keyColumns(now);
    // Google-managed keys rotate themselves: the picture is of the keys someone must rotate.
    const userManaged = out.keys.filter((k) => k.keyType === 'USER_MANAGED');
    const ages: KeyAge[] = userManaged.flatMap((k) => {
      const days = keyAgeDays(k, now);
      return days === undefined ? [] : [{ label: `key ${lastSegment(k.name).slice(0, 12)}`, ageDays: days }];
    });
    return {
      rows: out.keys.map((k) => rowOf(columns, k, q.project)),
      ...(ages.length
        ? {
            pictures: [
              {
                caption: 'Age of the user-managed keys, against 90 days (Google-managed keys rotate themselves)',
                svg: keyAgeChart(ages, { id: chartId(`keys-${q.email}`), text: TEXT, subject: q.email }),
              },
            ],
          }
        : {}),
    };
  },
};
