// Labelled horizontal bars on one shared scale, with an optional reference line: the age of service-account keys
// against Google's 90-day rotation advice, and the time left on each Google grant. Rows are a label line above a
// bar; x positions are per cent of the width, so the picture fits any screen and its text stays at reading size.
import { scaleLinear } from 'd3-scale';
import { formatDateTime, formatRelative, type LocaleContext } from '../time.js';
import { el, join, svg, text, type Markup } from './markup.js';
import type { ChartText } from './text.js';

export interface BarRow {
  label: string;
  value: number;
  /** Printed after the label (`412 days`). */
  valueLabel: string;
  /** Colour class suffix: `ok`, `warn`, `danger`, `neutral`. */
  tone: 'ok' | 'warn' | 'danger' | 'neutral';
}

export interface BarsOptions {
  id: string;
  title: string;
  desc: string;
  /** The scale's end (values above are drawn full length). */
  max: number;
  /** A vertical reference line (90 days), labelled. */
  marker?: { value: number; label: string } | undefined;
  /** At most this many rows are drawn; `more` is said below them. */
  maxRows?: number;
  more?: ((hidden: number) => string) | undefined;
}

const ROW = 30;
const LABEL_Y = 12;
const BAR_Y = 16;
const BAR_H = 10;

export function labelledBars(rows: readonly BarRow[], opts: BarsOptions): Markup {
  const limit = opts.maxRows ?? 40;
  const shown = rows.slice(0, limit);
  const hidden = rows.length - shown.length;
  const max = opts.max > 0 ? opts.max : 1;
  const pct = (v: number) => round(Math.min(100, Math.max(0, (v / max) * 100)));
  const parts: Markup[] = [];
  shown.forEach((r, i) => {
    const top = i * ROW;
    parts.push(
      el(
        'g',
        { class: `viz-row viz-row--${r.tone}` },
        el('text', { class: 'viz-row-label', x: 0, y: top + LABEL_Y }, text(`${r.label}: ${r.valueLabel}`)),
        el('rect', { class: 'viz-track', x: 0, y: top + BAR_Y, width: '100%', height: BAR_H }),
        el('rect', { class: 'viz-bar', x: 0, y: top + BAR_Y, width: `${pct(r.value)}%`, height: BAR_H }),
      ),
    );
  });
  let height = Math.max(1, shown.length) * ROW + 4;
  if (opts.marker && opts.marker.value <= max) {
    const x = pct(opts.marker.value);
    parts.push(el('line', { class: 'viz-marker', x1: `${x}%`, x2: `${x}%`, y1: 0, y2: height }));
    parts.push(
      el(
        'text',
        { class: 'viz-marker-label', x: `${x}%`, y: height + 12, 'text-anchor': x > 80 ? 'end' : 'middle' },
        text(opts.marker.label),
      ),
    );
    height += 16;
  }
  if (hidden > 0 && opts.more) {
    parts.push(el('text', { class: 'viz-axis-label', x: 0, y: height + 12 }, text(opts.more(hidden))));
    height += 18;
  }
  return svg({ id: opts.id, title: opts.title, desc: opts.desc, className: 'viz viz-bars', height }, join(parts));
}

export interface KeyAge {
  /** Who the key belongs to and which key (`deployer@… key 3f2a…`). */
  label: string;
  ageDays: number;
}

/** The age after which Security Command Center reports a user-managed key as not rotated (src/workloads/keys.ts). */
export const KEY_AGE_LIMIT_DAYS = 90;

/** Key ages against the 90-day line: older keys red, the rest green; oldest first. */
export function keyAgeChart(
  keys: readonly KeyAge[],
  opts: { id: string; text: ChartText; subject?: string | undefined },
): Markup {
  const t = opts.text;
  const sorted = [...keys].filter((k) => Number.isFinite(k.ageDays)).sort((a, b) => b.ageDays - a.ageDays);
  const oldest = sorted[0]?.ageDays ?? 0;
  // The scale shows the line with room on both sides, and grows (to a round number) for older keys.
  const max = scaleLinear()
    .domain([0, Math.max(KEY_AGE_LIMIT_DAYS * 1.5, oldest * 1.05)])
    .nice()
    .domain()[1]!;
  const old = sorted.filter((k) => k.ageDays > KEY_AGE_LIMIT_DAYS);
  return labelledBars(
    sorted.map((k) => ({
      label: k.label,
      value: Math.max(0, k.ageDays),
      valueLabel: t.days(Math.max(0, Math.floor(k.ageDays))),
      tone: k.ageDays > KEY_AGE_LIMIT_DAYS ? 'danger' : 'ok',
    })),
    {
      id: opts.id,
      title: t.keyAgeTitle(opts.subject),
      desc: t.keyAgeDesc(
        sorted.length,
        KEY_AGE_LIMIT_DAYS,
        old.map((k) => [k.label, Math.floor(k.ageDays)] as [string, number]),
        sorted.length - old.length,
      ),
      max,
      marker: { value: KEY_AGE_LIMIT_DAYS, label: t.days(KEY_AGE_LIMIT_DAYS) },
      more: t.moreRows,
    },
  );
}

export interface GrantTime {
  /** What the grant is (`Your Google access`, or a feature's grant). */
  label: string;
  endsAt: number;
}

const SOON_MS = 86_400_000;
/** Round spans the shared scale snaps to: an hour, six hours, a day, a week, thirty days, a year. */
const SPANS = [3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000, 365 * 86_400_000];

/**
 * Each time-limited grant's time left, from now on one scale (the smallest round span that holds the latest
 * end). Ending within a day: amber; ended: an empty bar that says so. Undefined when there is no grant to draw.
 */
export function grantTimeChart(
  grants: readonly GrantTime[],
  opts: { id: string; text: ChartText; ctx: LocaleContext; now: number },
): Markup | undefined {
  if (grants.length === 0) return undefined;
  const t = opts.text;
  const left = grants.map((g) => ({ g, ms: g.endsAt - opts.now }));
  const longest = Math.max(...left.map((l) => l.ms), 1);
  const max = SPANS.find((s) => s >= longest) ?? longest;
  const rows: BarRow[] = left.map(({ g, ms }) => ({
    label: g.label,
    value: Math.max(0, ms),
    valueLabel: ms > 0 ? formatRelative(g.endsAt, opts.now, opts.ctx.locale) : formatDateTime(g.endsAt, opts.ctx),
    tone: ms <= 0 ? 'danger' : ms <= SOON_MS ? 'warn' : 'ok',
  }));
  const desc = left
    .map(({ g, ms }) =>
      ms > 0
        ? t.grantLeft(g.label, formatRelative(g.endsAt, opts.now, opts.ctx.locale), formatDateTime(g.endsAt, opts.ctx))
        : t.grantEnded(g.label, formatDateTime(g.endsAt, opts.ctx)),
    )
    .join(' ');
  return labelledBars(rows, {
    id: opts.id,
    title: t.grantTitle,
    desc,
    max,
    marker: { value: max, label: formatRelative(opts.now + max, opts.now, opts.ctx.locale) },
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
