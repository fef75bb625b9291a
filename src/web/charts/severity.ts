// Findings by severity: one stacked bar (the picture at the top of a review, and the organisation board's row per
// project), and the chips a section heading carries. Pure and cheap: string building only, no scale library, so a
// board can draw a thousand of them.
import { el, join, svg, text, type Markup } from './markup.js';
import { SEVERITIES, type ChartText, type Severity } from './text.js';

export type SeverityCounts = Partial<Record<Severity, number>>;

/** Counts as whole non-negative numbers in severity order (a negative, fractional or missing count is 0). */
export function severityEntries(counts: SeverityCounts): Array<[Severity, number]> {
  return SEVERITIES.map((s) => {
    const v = counts[s];
    return [s, typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0];
  });
}

/**
 * The segments' widths in per cent: proportional, but a non-empty severity never thinner than `min` (one high
 * finding among 500 low ones stays visible); the others shrink to make room. Sums to 100 when anything counts.
 */
export function segmentWidths(values: readonly number[], min = 1.5): number[] {
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return values.map(() => 0);
  const raw = values.map((v) => (v / total) * 100);
  const small = raw.map((w, i) => (values[i]! > 0 && w < min ? min : 0));
  const reserved = small.reduce((a, b) => a + b, 0);
  const rest = raw.reduce((a, w, i) => a + (small[i]! > 0 ? 0 : w), 0);
  const scale = rest > 0 ? (100 - reserved) / rest : 0;
  return raw.map((w, i) => (small[i]! > 0 ? small[i]! : w * scale));
}

export interface SeverityBarOptions {
  id: string;
  text: ChartText;
  /** What the findings are of (a project id): in the title. */
  subject?: string | undefined;
  /** Height in CSS pixels (default 16; the board uses a thinner bar). */
  height?: number;
}

/** The stacked bar: one segment per severity, each with its own tooltip; the whole described in words. */
export function severityBar(counts: SeverityCounts, opts: SeverityBarOptions): Markup {
  const entries = severityEntries(counts);
  const total = entries.reduce((a, [, v]) => a + v, 0);
  const widths = segmentWidths(entries.map(([, v]) => v));
  const height = opts.height ?? 16;
  const t = opts.text;
  let x = 0;
  const segments: Markup[] = [];
  entries.forEach(([s, v], i) => {
    const w = widths[i]!;
    if (v === 0) return;
    segments.push(
      el(
        'rect',
        { class: `viz-sev viz-sev--${s}`, x: `${round(x)}%`, y: 0, width: `${round(w)}%`, height },
        el('title', {}, text(t.severityCount(s, v))),
      ),
    );
    x += w;
  });
  const track = el('rect', { class: 'viz-track', x: 0, y: 0, width: '100%', height });
  return svg(
    {
      id: opts.id,
      title: t.severityTitle(opts.subject),
      desc: t.severityDesc(total, entries),
      className: 'viz viz-severity-bar',
      height,
    },
    track,
    ...segments,
  );
}

/**
 * The chips beside a section's heading: one badge per severity present (`badge--high` …, the design system's
 * badge), or a single "No findings" badge. HTML, not SVG: it is text that wraps.
 */
export function severityChips(counts: SeverityCounts, t: ChartText, label?: string): Markup {
  const present = severityEntries(counts).filter(([, v]) => v > 0);
  const items =
    present.length === 0
      ? [el('li', {}, el('span', { class: 'badge badge--ok' }, text(t.noFindings)))]
      : present.map(([s, v]) => el('li', {}, el('span', { class: `badge badge--${s}` }, text(t.severityCount(s, v)))));
  return el('ul', { class: 'viz-chips', ...(label ? { 'aria-label': label } : {}) }, join(items));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
