// The Logs viewer's time range (pure): last hour, day, week or a custom span in the reader's time zone, turned into
// the Logging query's `timestamp` comparisons. A relative range is pinned to the instant it was first read (`at`)
// so that its next pages send the very same filter (Google ties a page token to its filter).
import { parseWallClock } from '../../web/time.js';

export const RANGE_KEYS = ['1h', '24h', '7d', 'custom'] as const;
export type RangeKey = (typeof RANGE_KEYS)[number];

const SPAN: Record<Exclude<RangeKey, 'custom'>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

/** Cloud Logging keeps most logs 30 days by default; a longer custom range would only read nothing. */
export const MAX_SPAN_MS = 31 * 86_400_000;
export const DEFAULT_RANGE: RangeKey = '1h';

export interface RangeRequest {
  range?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  at?: string | undefined;
}

export type ResolvedRange =
  | { ok: true; key: RangeKey; from: number; to: number; pinnedAt: number }
  | { ok: false; key: RangeKey; field: 'range' | 'from' | 'to'; message: string };

function isRangeKey(v: string): v is RangeKey {
  return (RANGE_KEYS as readonly string[]).includes(v);
}

/** The range asked for, or what is wrong with it (named by field, in words for the form). */
export function resolveRange(req: RangeRequest, now: number, timeZone: string): ResolvedRange {
  const raw = req.range ?? DEFAULT_RANGE;
  if (!isRangeKey(raw))
    return {
      ok: false,
      key: DEFAULT_RANGE,
      field: 'range',
      message: 'Choose the last hour, day, week or a custom range.',
    };
  if (raw !== 'custom') {
    const at = req.at !== undefined && /^\d{1,15}$/.test(req.at) ? Number(req.at) : undefined;
    // A pinned instant from a next-page link; one from the future or older than the retention is not believed.
    const pinnedAt = at !== undefined && at <= now + 60_000 && at >= now - MAX_SPAN_MS ? at : now;
    return { ok: true, key: raw, from: pinnedAt - SPAN[raw], to: pinnedAt, pinnedAt };
  }
  const from = req.from ? parseWallClock(req.from, timeZone) : undefined;
  const to = req.to ? parseWallClock(req.to, timeZone) : undefined;
  if (from === undefined)
    return { ok: false, key: 'custom', field: 'from', message: 'Give the start of the range as a date and time.' };
  if (to === undefined)
    return { ok: false, key: 'custom', field: 'to', message: 'Give the end of the range as a date and time.' };
  if (to <= from) return { ok: false, key: 'custom', field: 'to', message: 'The end must be after the start.' };
  if (to - from > MAX_SPAN_MS)
    return { ok: false, key: 'custom', field: 'from', message: 'Choose a range of at most 31 days.' };
  if (from > now) return { ok: false, key: 'custom', field: 'from', message: 'The start is in the future.' };
  return { ok: true, key: 'custom', from, to, pinnedAt: now };
}

/** The range as Logging query comparisons (RFC 3339 in UTC, which the query language accepts). */
export function rangeClause(from: number, to: number): string {
  return `timestamp>="${new Date(from).toISOString()}" AND timestamp<"${new Date(to).toISOString()}"`;
}

/**
 * The filter sent to Google: the range, then the user's own filter in parentheses on lines of its own (so a
 * `--` comment at its end cannot swallow the closing parenthesis).
 */
export function combinedFilter(userFilter: string | undefined, from: number, to: number): string {
  const range = rangeClause(from, to);
  return userFilter?.trim() ? `${range}\nAND (\n${userFilter}\n)` : range;
}
