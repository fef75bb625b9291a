// logging v2: entries.list (POST body with resourceNames, filter, orderBy, pageSize, pageToken).
import { canSee, findProject } from '../access.js';
import { callerDenied, invalidArgument, notFound } from '../errors.js';
import type { LogEntry } from '../fixtures.js';
import { listBody, pageSizeOf, paginate } from '../paging.js';
import type { HandlerTable } from '../types.js';
import { parseLogFilter } from './logfilter.js';

function entryJson(e: LogEntry): Record<string, unknown> {
  const { project: _project, ...rest } = e;
  return rest;
}

export const loggingHandlers: HandlerTable = {
  'logging:v2:entries.list': {
    rpc: 'google.logging.v2.LoggingServiceV2.ListLogEntries',
    handle(call) {
      const b = call.body;
      const names =
        b['resourceNames'] ??
        (Array.isArray(b['projectIds'])
          ? (b['projectIds'] as unknown[]).map((p) => `projects/${String(p)}`)
          : undefined);
      if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
        throw invalidArgument('resourceNames: must contain at least one resource name');
      }
      const projects = new Set<string>();
      for (const name of names as string[]) {
        const m = /^projects\/([^/]+)(?:\/locations\/[^/]+\/buckets\/[^/]+\/views\/[^/]+)?$/.exec(name);
        if (!m) {
          if (/^(organizations|folders|billingAccounts)\/[^/]+/.test(name)) continue;
          throw invalidArgument(`Invalid resource name: ${name}`);
        }
        const project = findProject(call.data, m[1] ?? '');
        if (!project) throw notFound(`Project does not exist: ${m[1] ?? ''}`);
        if (!canSee(project, call.user)) throw callerDenied();
        projects.add(project.projectId);
      }
      const filterText = typeof b['filter'] === 'string' ? b['filter'] : '';
      const predicate = parseLogFilter(filterText);
      const orderBy = typeof b['orderBy'] === 'string' ? b['orderBy'].trim() : 'timestamp asc';
      if (!/^timestamp(\s+(asc|desc))?$/i.test(orderBy))
        throw invalidArgument(`Invalid orderBy: ${orderBy}. Only "timestamp asc" and "timestamp desc" are supported.`);
      const desc = /desc$/i.test(orderBy);
      const all = call.data.logs
        .filter((e) => projects.has(e.project) && predicate(e))
        .sort((x, y) => (x.timestamp === y.timestamp ? 0 : x.timestamp < y.timestamp !== desc ? -1 : 1));
      const pageSize = pageSizeOf(b['pageSize'], 50, 1000, () =>
        invalidArgument('pageSize must be a positive integer'),
      );
      const pageToken = typeof b['pageToken'] === 'string' ? b['pageToken'] : undefined;
      const page = paginate(all, pageSize, pageToken, `logs:${[...projects].join(',')}:${filterText}:${orderBy}`);
      return { body: listBody(page, 'entries', entryJson) };
    },
  },
};
