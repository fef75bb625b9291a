// monitoring v3 timeSeries.list, bigquery v2 datasets.list, oauth2 v2 userinfo.get.
import { canSee, findProject } from '../access.js';
import { ApiError, callerDenied, invalidArgument, legacyForbidden } from '../errors.js';
import { nextPageField, pageSizeOf, paginate, requestedPage } from '../paging.js';
import type { HandlerTable } from '../types.js';
import { USERINFO_EMAIL, USERINFO_PROFILE } from '../../scopes.js';

const CPU = 'compute.googleapis.com/instance/cpu/utilization';

function bigQueryNotFound(message: string): ApiError {
  return new ApiError(404, {
    error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }], status: 'NOT_FOUND' },
  });
}

export const miscHandlers: HandlerTable = {
  'monitoring:v3:projects.timeSeries.list': {
    rpc: 'google.monitoring.v3.MetricService.ListTimeSeries',
    handle(call) {
      const id = call.params['projectsId'] ?? '';
      const filter = call.query.get('filter') ?? '';
      if (!filter.trim())
        throw invalidArgument('Field filter had an invalid value of "": must specify a non-empty filter.');
      const metric = /metric\.type\s*=\s*"([^"]+)"/.exec(filter)?.[1];
      if (!metric)
        throw invalidArgument(`Field filter had an invalid value of "${filter}": A filter must specify a metric type.`);
      const endRaw = call.query.get('interval.endTime');
      if (!endRaw || Number.isNaN(Date.parse(endRaw)))
        throw invalidArgument('Field interval.endTime had an invalid value: must be a valid RFC 3339 timestamp.');
      const project = findProject(call.data, id);
      if (!project)
        throw invalidArgument(`Field name had an invalid value of "projects/${id}": The project does not exist.`);
      if (!canSee(project, call.user)) throw callerDenied();
      const end = Date.parse(endRaw);
      const startRaw = call.query.get('interval.startTime');
      const start = startRaw && !Number.isNaN(Date.parse(startRaw)) ? Date.parse(startRaw) : end - 5 * 60_000;
      const series =
        metric === CPU
          ? call.data.instances
              .filter((i) => i.project === project.projectId && i.status === 'RUNNING')
              .map((i, n) => {
                const points = [];
                for (let t = end; t > start && points.length < 60; t -= 60_000) {
                  const iso = new Date(t).toISOString();
                  points.push({
                    interval: { startTime: iso, endTime: iso },
                    value: { doubleValue: Number((0.05 + ((n * 13 + points.length * 7) % 80) / 100).toFixed(4)) },
                  });
                }
                return {
                  metric: { labels: { instance_name: i.name }, type: CPU },
                  resource: {
                    type: 'gce_instance',
                    labels: { project_id: project.projectId, instance_id: i.id, zone: i.zone },
                  },
                  metricKind: 'GAUGE',
                  valueType: 'DOUBLE',
                  points,
                };
              })
          : [];
      const page = requestedPage(
        call.query,
        series,
        { default: 100000, max: 100000 },
        `ts:${project.projectId}:${filter}`,
      );
      return {
        body: {
          ...(page.items.length ? { timeSeries: page.items, unit: '10^2.%' } : {}),
          ...nextPageField(page),
        },
      };
    },
  },
  'bigquery:v2:datasets.list': {
    rpc: 'google.cloud.bigquery.v2.DatasetService.ListDatasets',
    handle(call) {
      const id = call.params['projectsId'] ?? '';
      const project = findProject(call.data, id);
      if (!project) throw bigQueryNotFound(`Not found: Project ${id}`);
      if (!canSee(project, call.user))
        throw legacyForbidden(
          `Access Denied: Project ${id}: User does not have bigquery.datasets.list permission in project ${id}.`,
          'accessDenied',
        );
      const all = call.data.datasets.filter((d) => d.project === project.projectId);
      const page = paginate(
        all,
        pageSizeOf(call.query.get('maxResults'), 50, 1000, () => invalidArgument('Invalid maxResults.', 'invalid')),
        call.query.get('pageToken'),
        `bq:${project.projectId}`,
      );
      return {
        body: {
          kind: 'bigquery#datasetList',
          etag: 'ETkmU7g5CXa3VG2NfEEFvQ==',
          ...(page.items.length
            ? {
                datasets: page.items.map((d) => ({
                  kind: 'bigquery#dataset',
                  id: `${project.projectId}:${d.datasetId}`,
                  datasetReference: { datasetId: d.datasetId, projectId: project.projectId },
                  ...(d.friendlyName ? { friendlyName: d.friendlyName } : {}),
                  location: d.location,
                })),
              }
            : {}),
          ...nextPageField(page),
        },
      };
    },
  },
  'oauth2:v2:userinfo.get': {
    rpc: 'oauth2.v2.UserinfoService.Get',
    handle(call) {
      const u = call.user;
      const scopes = call.token.scopes;
      return {
        body: {
          id: u.sub,
          ...(scopes.includes(USERINFO_EMAIL) ? { email: u.email, verified_email: u.emailVerified } : {}),
          ...(scopes.includes(USERINFO_PROFILE)
            ? { name: u.name, given_name: u.givenName, family_name: u.familyName }
            : {}),
          ...(u.hd ? { hd: u.hd } : {}),
        },
      };
    },
  },
};
