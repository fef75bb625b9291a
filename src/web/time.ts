// Times for people, pure: absolute times in the reader's time zone, relative times ("3 minutes ago", "in 2 days"),
// and the wall-clock arithmetic the time-range form and the charts need. Every function takes the locale and the
// time zone explicitly (from the request, see locale.ts), and formats with Intl only: no hand-made month names,
// no sentences built from fragments (the Japanese and Chinese catalogues of issue 25 plug in through the locale).

/** Who reads: the language for numbers and dates, and the IANA time zone for clock times. */
export interface LocaleContext {
  /** BCP 47 language tag, e.g. `en`, `ja`, `zh-TW`. */
  readonly locale: string;
  /** IANA time zone, e.g. `Europe/Paris`; `UTC` when the browser has not told us. */
  readonly timeZone: string;
}

export const DEFAULT_LOCALE: LocaleContext = { locale: 'en', timeZone: 'UTC' };

/** An IANA time zone Intl knows, exactly as given; undefined for anything else (never throws). */
export function validTimeZone(candidate: string | undefined): string | undefined {
  if (!candidate || candidate.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(candidate)) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: candidate }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

// Intl formatters are costly to build and immutable: one per (locale, zone, style), kept for the process.
const formatters = new Map<string, Intl.DateTimeFormat>();
function dateFormat(ctx: LocaleContext, style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${ctx.locale}\u0000${ctx.timeZone}\u0000${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(ctx.locale, { ...options, timeZone: ctx.timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** `2 Dec 2026, 14:05:07 GMT+1`: the date, the clock time to the second and the zone's short name. */
export function formatDateTime(ms: number, ctx: LocaleContext): string {
  return dateFormat(ctx, 'datetime', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(ms);
}

/** `Dec 2, 14:05:07`: day and clock time, for a list whose year and zone are said once above it. */
export function formatShortDateTime(ms: number, ctx: LocaleContext): string {
  return dateFormat(ctx, 'short-datetime', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
}

/** `14:05:07`: a clock time alone (for a list whose day is said elsewhere). */
export function formatClock(ms: number, ctx: LocaleContext): string {
  return dateFormat(ctx, 'clock', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(
    ms,
  );
}

/** `14:05`: hours and minutes (chart axes). */
export function formatHourMinute(ms: number, ctx: LocaleContext): string {
  return dateFormat(ctx, 'hm', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

/** `2 Dec`: a day without the year (chart axes). */
export function formatDay(ms: number, ctx: LocaleContext): string {
  return dateFormat(ctx, 'day', { month: 'short', day: 'numeric' }).format(ms);
}

/** `Wednesday 2 December 2026`: a day heading (the audit timeline groups by day). */
export function formatLongDay(ms: number, ctx: LocaleContext): string {
  return dateFormat(ctx, 'longday', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(ms);
}

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/**
 * `3 minutes ago`, `in 2 days`, `now`: the largest unit that fits, rounded toward the nearer value (a grant
 * ending in 58 min 40 s says "in 59 minutes"). Months are 30 days and years 365: good enough for "how long ago".
 */
export function formatRelative(ms: number, nowMs: number, locale: string): string {
  let rtf = relativeFormats.get(locale);
  if (!rtf) {
    rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    relativeFormats.set(locale, rtf);
  }
  const diff = ms - nowMs;
  const abs = Math.abs(diff);
  for (const [unit, size] of RELATIVE_UNITS) {
    if (abs >= size || unit === 'second') {
      const value = Math.round(diff / size);
      // Round-trips like 59.6 min → 60 minutes read better one unit up.
      return rtf.format(value === 0 ? 0 : value, unit);
    }
  }
  return rtf.format(0, 'second');
}

/** The zone's offset from UTC at an instant, in ms (`+3_600_000` for Paris in winter). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = dateFormat({ locale: 'en-US', timeZone }, 'offset-parts', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time in a zone names (`2026-12-02T14:05` in Europe/Paris → 13:05 UTC), or undefined
 * when the text is not a `YYYY-MM-DDTHH:MM` time. In a daylight-saving gap the later reading wins.
 */
export function parseWallClock(text: string, timeZone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(wall).getUTCDate() !== d) return undefined; // 31 February
  const first = wall - zoneOffsetMs(wall, timeZone);
  return wall - zoneOffsetMs(first, timeZone);
}

/** `YYYY-MM-DDTHH:MM` of an instant in a zone (the value of an `<input type="datetime-local">`). */
export function toWallClock(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffsetMs(ms, timeZone)).toISOString().slice(0, 16);
}
