// Logs: a project's Cloud Logging entries as a log viewer shows them. A time range (last hour, day, week or custom,
// sent as `timestamp` comparisons), severity badges, local and relative times, payloads folded to one line that
// open on demand, a volume histogram by severity over the range, and a filter that stays on the page with
// Google's words when Google refuses it. Scopewise's own audit entries read as a timeline (who, what, which scopes).
//
// Google calls, all Logging entries.list with the feature's own logging.read:
//  - the page of entries (50, newest first);
//  - for the histogram, on the first page only, the same filter again with a partial response holding only
//    timestamps and severities (`fields`, 1,000 entries a call, at most HISTOGRAM_MAX_PAGES calls). Logging
//    counts entries.list requests against a per-project quota (1 a second on
//    https://cloud.google.com/logging/quotas, stored copy read 2026-12-01), hence the bound: past it, the picture
//    says it counts only the newest entries and shows the rest of the range as not counted.
import { z } from 'zod';
import {
  GoogleApiError,
  listLogEntries,
  type GoogleCallContext,
  type ListLogEntriesResult,
  type LogEntry,
} from '../../google/index.js';
import { emptyToUndefined } from '../../google/ids.js';
import { getFeature } from '../../scopes/catalogue.js';
import { bandOf, binLogVolume, chartText, logHistogram, type LogBand, type LogVolume } from '../../web/charts/index.js';
import {
  formatClock,
  formatDateTime,
  formatLongDay,
  formatRelative,
  formatShortDateTime,
  toWallClock,
  zoneOffsetMs,
} from '../../web/time.js';
import type { LocaleContext } from '../../web/time.js';
import type { LogsView } from '../../web/views.js';
import { withQuery } from '../cells.js';
import { AUDIT_FILTER, auditItem, isScopewiseAudit, knownEmails } from '../logs/audit.js';
import { summarizeEntry } from '../logs/entry.js';
import { combinedFilter, RANGE_KEYS, resolveRange, type RangeKey } from '../logs/range.js';
import type { PageEnv, ViewPageSpec } from '../spec.js';
import { projectField, projectQuery } from './project-field.js';

export const FILTER_MAX = 2000;
export const ENTRIES_PAGE_SIZE = 50;
export const HISTOGRAM_PAGE_SIZE = 1000;
export const HISTOGRAM_MAX_PAGES = 2;
const HISTOGRAM_FIELDS = 'entries(timestamp,severity),nextPageToken';

const optionalText = z.preprocess(emptyToUndefined, z.string({ error: 'expected a single value' }).optional());
const logsInput = projectQuery.extend({
  filter: optionalText,
  range: optionalText,
  from: optionalText,
  to: optionalText,
  at: optionalText,
  view: optionalText,
});
type LogsQuery = z.infer<typeof logsInput>;

const RANGE_LABEL: Record<RangeKey, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  custom: 'Custom',
};

/** The badge a Logging severity wears (the design system's modifiers); its text is the severity itself. */
export function severityBadge(severity: string | undefined): string {
  switch (bandOf(severity)) {
    case 'critical':
      return 'critical';
    case 'error':
      return 'danger';
    case 'warning':
      return 'warn';
    case 'info':
      return 'info';
    default:
      return 'neutral';
  }
}

interface HistogramRead {
  points: Array<{ t: number; band: LogBand }>;
  truncated: boolean;
  calls: number;
}

/** Timestamps and severities over the range, newest first, up to the bound. */
async function readVolume(google: GoogleCallContext, projectId: string, filter: string): Promise<HistogramRead> {
  const points: HistogramRead['points'] = [];
  let pageToken: string | undefined;
  let calls = 0;
  do {
    const page: ListLogEntriesResult = await listLogEntries(google, {
      projectId,
      filter,
      pageSize: HISTOGRAM_PAGE_SIZE,
      pageToken,
      fields: HISTOGRAM_FIELDS,
    });
    calls++;
    for (const e of page.entries) {
      const t = e.timestamp ? Date.parse(e.timestamp) : Number.NaN;
      if (Number.isFinite(t)) points.push({ t, band: bandOf(e.severity) });
    }
    pageToken = page.nextPageToken;
  } while (pageToken && calls < HISTOGRAM_MAX_PAGES);
  return { points, truncated: Boolean(pageToken), calls };
}

function histogramView(read: HistogramRead, from: number, to: number, rangeLabel: string, ctx: LocaleContext) {
  const text = chartText(ctx.locale);
  const oldest = read.points.reduce((m, p) => Math.min(m, p.t), Number.POSITIVE_INFINITY);
  const volume: LogVolume = binLogVolume(read.points, {
    from,
    to,
    timeZone: ctx.timeZone,
    truncated:
      read.truncated && Number.isFinite(oldest) ? { coveredFrom: oldest, counted: read.points.length } : undefined,
  });
  const long = to - from > 2 * 86_400_000;
  const when = (ms: number) => (long ? formatDateTime(ms, ctx) : formatClock(ms, ctx));
  return {
    svg: logHistogram(volume, { id: 'viz-log-volume', text, ctx, rangeLabel }),
    note: volume.truncated
      ? text.histogramTruncated(volume.truncated.counted, formatDateTime(volume.truncated.coveredFrom, ctx))
      : undefined,
    bands: (['critical', 'error', 'warning', 'info', 'debug'] as const).map((b) => ({
      band: b,
      label: text.logBand(b),
      count: text.number(volume.perBand[b]),
    })),
    total: text.number(volume.total),
    rows: volume.bins
      .filter((b) => b.total > 0)
      .map((b) => ({
        from: when(b.start),
        to: when(b.end),
        counts: (['critical', 'error', 'warning', 'info', 'debug'] as const).map((k) => text.number(b.counts[k])),
        total: text.number(b.total),
      })),
  };
}

export interface LogsPageDeps {
  /** Where Scopewise exports its own audit trail (AUDIT_SINK), when it does: that project's page links to it. */
  auditLog?: { projectId: string; logId: string } | undefined;
}

export function logsPage(deps: LogsPageDeps = {}): ViewPageSpec<LogsQuery> {
  const feature = getFeature('logs')!;
  const titleOf = (id: string) => getFeature(id as never)?.title;
  return {
    kind: 'view',
    feature: 'logs',
    route: '/logs',
    input: logsInput,
    project: true,
    async load({ q, project }, env: PageEnv) {
      const ctx = env.locale;
      const audit = q.view === 'audit';
      const range = resolveRange({ range: q.range, from: q.from, to: q.to, at: q.at }, env.now, ctx.timeZone);
      const rangeKey: RangeKey = range.key;
      const defaultTo = env.now;
      const defaultFrom = env.now - 3_600_000;
      const auditLogName =
        deps.auditLog && project === deps.auditLog.projectId
          ? `projects/${deps.auditLog.projectId}/logs/${encodeURIComponent(deps.auditLog.logId)}`
          : undefined;
      const view: LogsView = {
        title: audit ? 'Scopewise audit trail' : feature.title,
        heading: audit ? `Scopewise audit trail${project ? ` in ${project}` : ''}` : feature.title,
        intro: audit
          ? 'What Scopewise did on behalf of its users, from the audit entries it exports to Cloud Logging: who, what, and which Google scopes.'
          : 'Cloud Logging entries of a project, newest first. The filter uses the Logging query language, e.g. severity>=ERROR or resource.type="gce_instance".',
        timeZone: ctx.timeZone,
        project,
        audit,
        form: {
          action: '/logs',
          project: projectField(project),
          filter: q.filter ?? '',
          filterMax: FILTER_MAX,
          ranges: RANGE_KEYS.map((k) => ({ value: k, label: RANGE_LABEL[k], checked: k === rangeKey })),
          from: q.from ?? toWallClock(range.ok ? range.from : defaultFrom, ctx.timeZone),
          to: q.to ?? toWallClock(range.ok ? range.to : defaultTo, ctx.timeZone),
          zoneName: zoneLabel(env.now, ctx.timeZone),
          view: audit ? 'audit' : undefined,
        },
        notices: [...env.notices],
        entries: [],
        empty: project ? 'No log entries match in this range.' : 'Choose a project.',
        ...(auditLogName && !audit
          ? {
              auditHref: withQuery('/logs', { project, view: 'audit', range: rangeKey === 'custom' ? '7d' : rangeKey }),
            }
          : {}),
        ...(audit ? { entriesHref: withQuery('/logs', { project }) } : {}),
      };
      if (!project) return { view: 'logs', data: view };
      if (!range.ok) {
        view.error = { field: range.field, message: range.message };
        return { view: 'logs', data: view, status: 400 };
      }
      if (q.filter !== undefined && q.filter.length > FILTER_MAX) {
        view.error = {
          field: 'filter',
          message: `Check what you entered: the filter is ${q.filter.length} characters long; Scopewise sends at most ${FILTER_MAX}.`,
        };
        return { view: 'logs', data: view, status: 400 };
      }
      const rangeLabel =
        rangeKey === '1h'
          ? chartText(ctx.locale).rangeLastHour
          : rangeKey === '24h'
            ? chartText(ctx.locale).rangeLastDay
            : rangeKey === '7d'
              ? chartText(ctx.locale).rangeLastWeek
              : chartText(ctx.locale).rangeBetween(formatDateTime(range.from, ctx), formatDateTime(range.to, ctx));
      view.rangeText = `${formatDateTime(range.from, ctx)} to ${formatDateTime(range.to, ctx)}`;
      const userFilter = audit
        ? [auditLogName ? `logName="${auditLogName}"` : AUDIT_FILTER, q.filter].filter(Boolean).join('\nAND ')
        : q.filter;
      const filter = combinedFilter(userFilter, range.from, range.to);
      view.sentFilter = filter;
      const firstPage = !q.pageToken;
      const [listed, volume] = await Promise.allSettled([
        // Google's refusal of the filter is kept as an answer (the page shows it); any other error is the engine's.
        env.google(async (g) => {
          try {
            return await listLogEntries(g, {
              projectId: project,
              filter,
              pageSize: ENTRIES_PAGE_SIZE,
              pageToken: q.pageToken,
            });
          } catch (err) {
            if (err instanceof GoogleApiError && err.code === 'INVALID_ARGUMENT') return err;
            throw err;
          }
        }),
        firstPage ? env.google((g) => readVolume(g, project, filter)) : Promise.resolve(undefined),
      ]);
      if (listed.status === 'rejected') throw listed.reason;
      // Google refused the filter (or the page token): the page stays, with the filter and Google's words.
      if (listed.value instanceof GoogleApiError) {
        view.error = {
          field: 'filter',
          message: 'Google could not use this filter. Correct it and show the entries again.',
          googleSaid: listed.value.message,
        };
        return { view: 'logs', data: view, status: 400 };
      }
      const entries = listed.value.entries;
      if (volume.status === 'fulfilled' && volume.value)
        view.histogram = histogramView(volume.value, range.from, range.to, rangeLabel, ctx);
      else if (volume.status === 'rejected')
        view.histogramNote =
          'The volume chart could not be read from Google this time; the entries below are complete.';
      else view.histogramNote = 'The volume chart of this range is on its first page.';
      const emails = knownEmails(entries, undefined);
      view.entries = entries.map((e, i) => entryRow(e, i, env.now, ctx, emails, titleOf));
      if (audit) view.timeline = timeline(view.entries, ctx);
      const custom = rangeKey === 'custom';
      const keep = {
        project,
        filter: q.filter,
        range: rangeKey,
        from: custom ? q.from : undefined,
        to: custom ? q.to : undefined,
        view: q.view,
      };
      if (listed.value.nextPageToken)
        view.next = withQuery('/logs', {
          ...keep,
          at: rangeKey === 'custom' ? undefined : String(range.pinnedAt),
          pageToken: listed.value.nextPageToken,
        });
      if (!firstPage)
        view.first = withQuery('/logs', { ...keep, at: rangeKey === 'custom' ? undefined : String(range.pinnedAt) });
      return { view: 'logs', data: view };
    },
  };
}

function zoneLabel(now: number, timeZone: string): string {
  const off = zoneOffsetMs(now, timeZone) / 60_000;
  const sign = off < 0 ? '−' : '+';
  const h = Math.floor(Math.abs(off) / 60);
  const m = Math.abs(off) % 60;
  return `${timeZone} (UTC${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''})`;
}

function entryRow(
  e: LogEntry,
  i: number,
  now: number,
  ctx: LocaleContext,
  emails: ReadonlyMap<string, string>,
  titleOf: (id: string) => string | undefined,
): LogsView['entries'][number] {
  const t = e.timestamp ? Date.parse(e.timestamp) : Number.NaN;
  const s = summarizeEntry(e);
  const row: LogsView['entries'][number] = {
    id: `entry-${i}`,
    time: Number.isFinite(t) ? formatShortDateTime(t, ctx) : 'no time',
    clock: Number.isFinite(t) ? formatClock(t, ctx) : '',
    iso: Number.isFinite(t) ? new Date(t).toISOString() : '',
    ago: Number.isFinite(t) ? formatRelative(t, now, ctx.locale) : '',
    severity: e.severity ?? 'DEFAULT',
    badge: severityBadge(e.severity),
    log: s.log,
    resource: s.resource,
    summary: s.summary,
    details: s.details,
  };
  if (isScopewiseAudit(e)) {
    const a = auditItem(e, emails, titleOf);
    row.audit = { who: a.who, what: a.what, scopes: a.scopes, declined: a.declined, tone: a.tone };
    row.summary = `${a.who} ${a.what}`;
  }
  return row;
}

function timeline(rows: LogsView['entries'], ctx: LocaleContext): NonNullable<LogsView['timeline']> {
  const days: NonNullable<LogsView['timeline']> = [];
  for (const r of rows) {
    if (!r.audit) continue;
    const t = Date.parse(r.iso);
    const day = Number.isFinite(t) ? formatLongDay(t, ctx) : 'Unknown day';
    let group = days.at(-1);
    if (!group || group.day !== day) {
      group = { day, items: [] };
      days.push(group);
    }
    group.items.push({ clock: r.clock, iso: r.iso, ago: r.ago, ...r.audit, details: r.details });
  }
  return days;
}
