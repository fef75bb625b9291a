// The Logs volume histogram: entries counted per time bucket and severity band over the chosen range, drawn as
// stacked columns. d3-time picks calendar-aware bucket and tick intervals (1, 5, 15, 30 minutes, 1, 3, 6, 12 hours,
// days…) and d3-scale the "nice" count axis; both run on the server only, no DOM. Buckets and ticks fall on round
// wall-clock times in the reader's zone (the zone's offset at the range's start: a daylight-saving change inside a
// week-long range shifts the later buckets by that hour, which the labels still state correctly).
import { scaleLinear, scaleUtc } from 'd3-scale';
import { utcTickInterval } from 'd3-time';
import { formatDateTime, formatDay, formatHourMinute, zoneOffsetMs, type LocaleContext } from '../time.js';
import { el, join, svg, text, type Markup } from './markup.js';
import { LOG_BANDS, type ChartText, type LogBand } from './text.js';

export type BandCounts = Record<LogBand, number>;

export interface VolumeBin {
  /** Inclusive start and exclusive end, ms (clipped to the range). */
  start: number;
  end: number;
  counts: BandCounts;
  total: number;
}

export interface LogVolume {
  from: number;
  to: number;
  bins: VolumeBin[];
  total: number;
  perBand: BandCounts;
  /**
   * When Google had more entries than were read: the counts cover only [coveredFrom, to] (the oldest entry
   * counted); the part before is drawn as "not counted" and the text says so.
   */
  truncated?: { coveredFrom: number; counted: number } | undefined;
}

const zero = (): BandCounts => ({ critical: 0, error: 0, warning: 0, info: 0, debug: 0 });

/** Cloud Logging's severity name (LogSeverity) → the band it is drawn in. Unknown or missing → debug (DEFAULT). */
export function bandOf(severity: string | undefined): LogBand {
  switch (severity) {
    case 'EMERGENCY':
    case 'ALERT':
    case 'CRITICAL':
      return 'critical';
    case 'ERROR':
      return 'error';
    case 'WARNING':
      return 'warning';
    case 'NOTICE':
    case 'INFO':
      return 'info';
    default:
      return 'debug';
  }
}

/**
 * Counts points into about `target` buckets over [from, to): bucket boundaries on round wall-clock times in
 * `timeZone`. Points outside the range are ignored. `truncated` is passed through (see LogVolume).
 */
export function binLogVolume(
  points: Iterable<{ t: number; band: LogBand }>,
  range: { from: number; to: number; timeZone: string; truncated?: LogVolume['truncated'] },
  target = 48,
): LogVolume {
  const { from, to } = range;
  const perBand = zero();
  if (!(to > from)) return { from, to, bins: [], total: 0, perBand, truncated: range.truncated };
  const off = zoneOffsetMs(from, range.timeZone);
  const interval = utcTickInterval(new Date(from + off), new Date(to + off), target);
  const bins: VolumeBin[] = [];
  if (interval) {
    for (const s of interval.range(interval.floor(new Date(from + off)), new Date(to + off))) {
      const start = Math.max(from, s.getTime() - off);
      const end = Math.min(to, interval.offset(s, 1).getTime() - off);
      if (end > start) bins.push({ start, end, counts: zero(), total: 0 });
    }
  }
  if (bins.length === 0) bins.push({ start: from, end: to, counts: zero(), total: 0 });
  let total = 0;
  for (const p of points) {
    if (!(p.t >= from && p.t < to)) continue;
    // Bins are sorted and contiguous: binary search.
    let lo = 0;
    let hi = bins.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bins[mid]!.start <= p.t) lo = mid;
      else hi = mid - 1;
    }
    const bin = bins[lo]!;
    bin.counts[p.band]++;
    bin.total++;
    perBand[p.band]++;
    total++;
  }
  return { from, to, bins, total, perBand, truncated: range.truncated };
}

export interface HistogramOptions {
  id: string;
  text: ChartText;
  ctx: LocaleContext;
  /** The range in words ("last 24 hours"). */
  rangeLabel: string;
  /** Height in CSS pixels (default 168). */
  height?: number;
}

const PLOT_TOP = 14;
const AXIS_HEIGHT = 22;
/** Drawn bottom-up: the most severe band sits on the baseline, where columns compare best. */
const STACK: readonly LogBand[] = LOG_BANDS;

/** The stacked-column histogram of a LogVolume, with its text equivalent. */
export function logHistogram(volume: LogVolume, opts: HistogramOptions): Markup {
  const { text: t, ctx } = opts;
  const height = opts.height ?? 168;
  const bottom = height - AXIS_HEIGHT;
  const span = volume.to - volume.from;
  const xPct = (ms: number) => (span > 0 ? ((ms - volume.from) / span) * 100 : 0);
  const max = Math.max(0, ...volume.bins.map((b) => b.total));
  const y = scaleLinear()
    .domain([0, Math.max(1, max)])
    .nice(4)
    .range([bottom, PLOT_TOP]);
  const parts: Markup[] = [];

  // Count axis: gridlines with their numbers just above them, inside the plot (no margin to reserve).
  for (const v of y.ticks(3)) {
    if (v === 0) continue;
    const gy = y(v);
    parts.push(el('line', { class: 'viz-grid', x1: 0, x2: '100%', y1: gy, y2: gy }));
    parts.push(el('text', { class: 'viz-axis-label', x: 2, y: gy - 3 }, text(t.number(v))));
  }

  // The part of the range Google had more entries for than were read.
  if (volume.truncated && volume.truncated.coveredFrom > volume.from) {
    const w = xPct(volume.truncated.coveredFrom);
    const patternId = `${opts.id}-hatch`;
    parts.push(
      el(
        'defs',
        {},
        el(
          'pattern',
          { id: patternId, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
          el('line', { class: 'viz-hatch', x1: 0, y1: 0, x2: 0, y2: 6 }),
        ),
      ),
    );
    parts.push(
      el('rect', {
        class: 'viz-uncounted',
        x: 0,
        y: PLOT_TOP,
        width: `${round(w)}%`,
        height: bottom - PLOT_TOP,
        fill: `url(#${patternId})`,
      }),
    );
    if (w >= 14)
      parts.push(
        el(
          'text',
          { class: 'viz-axis-label', x: `${round(w / 2)}%`, y: (PLOT_TOP + bottom) / 2, 'text-anchor': 'middle' },
          text(t.notCounted),
        ),
      );
  }

  // Columns: one group per bucket, a rect per band, the bucket's counts as its tooltip.
  const clock = (ms: number) =>
    span > 2 * 86_400_000 ? `${formatDay(ms, ctx)} ${formatHourMinute(ms, ctx)}` : formatHourMinute(ms, ctx);
  for (const bin of volume.bins) {
    if (bin.total === 0) continue;
    const x = xPct(bin.start);
    const w = xPct(bin.end) - x;
    const inset = w * 0.08;
    let top = bottom;
    const rects: Markup[] = [
      el(
        'title',
        {},
        text(
          t.histogramBin(
            clock(bin.start),
            clock(bin.end),
            STACK.map((b) => [b, bin.counts[b]] as [LogBand, number]),
          ),
        ),
      ),
    ];
    for (const band of STACK) {
      const c = bin.counts[band];
      if (c === 0) continue;
      const h = bottom - y(c);
      top -= h;
      rects.push(
        el('rect', {
          class: `viz-log viz-log--${band}`,
          x: `${round(x + inset)}%`,
          y: top,
          width: `${round(Math.max(0.2, w - 2 * inset))}%`,
          height: Math.max(1, h),
        }),
      );
    }
    parts.push(el('g', { class: 'viz-bin' }, join(rects)));
  }

  // Time axis: baseline, ticks on round wall-clock times, a date where a tick is midnight (or the range is long).
  parts.push(el('line', { class: 'viz-baseline', x1: 0, x2: '100%', y1: bottom, y2: bottom }));
  const off = zoneOffsetMs(volume.from, ctx.timeZone);
  if (span > 0) {
    const ticks = scaleUtc()
      .domain([new Date(volume.from + off), new Date(volume.to + off)])
      .ticks(6);
    for (const tick of ticks) {
      const wall = tick.getTime();
      const real = wall - off;
      const x = xPct(real);
      const midnight = wall % 86_400_000 === 0;
      const label = midnight ? formatDay(real, ctx) : formatHourMinute(real, ctx);
      const anchor = x < 5 ? 'start' : x > 95 ? 'end' : 'middle';
      parts.push(el('line', { class: 'viz-tick', x1: `${round(x)}%`, x2: `${round(x)}%`, y1: bottom, y2: bottom + 4 }));
      parts.push(
        el('text', { class: 'viz-axis-label', x: `${round(x)}%`, y: height - 6, 'text-anchor': anchor }, text(label)),
      );
    }
  }

  const busiest = volume.bins.reduce<VolumeBin | undefined>(
    (best, b) => (b.total > (best?.total ?? 0) ? b : best),
    undefined,
  );
  const desc = [
    t.histogramDesc({
      total: volume.total,
      from: formatDateTime(volume.from, ctx),
      to: formatDateTime(volume.to, ctx),
      perBand: STACK.map((b) => [b, volume.perBand[b]] as [LogBand, number]),
      busiest: busiest ? { count: busiest.total, from: clock(busiest.start), to: clock(busiest.end) } : undefined,
    }),
    ...(volume.truncated
      ? [t.histogramTruncated(volume.truncated.counted, formatDateTime(volume.truncated.coveredFrom, ctx))]
      : []),
  ].join(' ');
  return svg(
    { id: opts.id, title: t.histogramTitle(opts.rangeLabel), desc, className: 'viz viz-histogram', height },
    join(parts),
  );
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
