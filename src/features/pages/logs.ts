// Logs: recent Cloud Logging entries of a project, newest first, with a filter in the Logging query language.
import { z } from 'zod';
import { listLogEntries } from '../../google/index.js';
import { emptyToUndefined, ids } from '../../google/ids.js';
import { fmtDate, lastSegment, status, text } from '../cells.js';
import type { ListPageSpec } from '../spec.js';
import { projectField, projectQuery } from './project-field.js';

const logsInput = projectQuery.extend({ filter: z.preprocess(emptyToUndefined, ids.text(2000).optional()) });

export const logsPage: ListPageSpec<z.infer<typeof logsInput>> = {
  kind: 'list',
  feature: 'logs',
  route: '/logs',
  input: logsInput,
  project: true,
  title: () => 'Logs',
  intro: () =>
    'Recent Cloud Logging entries, newest first. The filter uses the Logging query language, e.g. severity>=ERROR.',
  form: ({ q, project }) => [
    projectField(project),
    { name: 'filter', label: 'Filter', placeholder: 'severity>=WARNING', ...(q.filter ? { value: q.filter } : {}) },
  ],
  columns: ['Time', 'Severity', 'Log', 'Message'],
  empty: ({ project }) => (project ? 'No log entries match.' : 'Choose a project.'),
  keep: ({ q, project }) => ({ project, filter: q.filter }),
  async load(google, { q, project }) {
    const out = await listLogEntries(google, {
      projectId: project!,
      filter: q.filter,
      pageSize: 50,
      pageToken: q.pageToken,
    });
    return {
      rows: out.entries.map((e) => [
        text(fmtDate(e.timestamp)),
        status(e.severity ?? 'DEFAULT'),
        text(lastSegment(e.logName ? decodeURIComponent(e.logName) : '')),
        text(
          e.textPayload ??
            (e.jsonPayload
              ? JSON.stringify(e.jsonPayload).slice(0, 500)
              : e.protoPayload
                ? JSON.stringify(e.protoPayload).slice(0, 500)
                : ''),
        ),
      ]),
      nextPageToken: out.nextPageToken,
    };
  },
};
