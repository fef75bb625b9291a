// Features × scopes: a cell where a feature asks for a scope, shaded by the scope's breadth (read-only,
// read-write, cloud-wide); solid when this session holds the scope, outlined when it does not. Drawn at its
// natural size (a viewBox in CSS pixels); on a narrow screen its figure scrolls sideways by itself, never the page.
import { el, join, num, svg, text, type Markup } from './markup.js';
import type { Breadth, ChartText } from './text.js';

export interface MatrixColumn {
  /** The scope's short name (`compute.readonly`). */
  label: string;
  breadth: Breadth;
  held: boolean;
}

export interface MatrixInput {
  rows: ReadonlyArray<{ label: string }>;
  columns: readonly MatrixColumn[];
  /** `asks[r][c]`: feature r asks for scope c. */
  asks: ReadonlyArray<ReadonlyArray<boolean>>;
}

const CELL = 26;
const GAP = 4;
/** Rough advance width of a 12 px system-ui character: labels are sized from it (no font metrics on a server). */
const CHAR = 6.6;
const HEADER_ANGLE = 45;

/** Orders columns narrow to broad (read-only, read-write, cloud-wide), then by name. */
export function orderColumns<T extends { breadth: Breadth; label: string }>(cols: readonly T[]): T[] {
  const rank: Record<Breadth, number> = { 'read-only': 0, 'read-write': 1, 'cloud-wide': 2 };
  return [...cols].sort((a, b) => rank[a.breadth] - rank[b.breadth] || a.label.localeCompare(b.label));
}

export function scopeMatrix(input: MatrixInput, opts: { id: string; text: ChartText }): Markup {
  const t = opts.text;
  const { rows, columns } = input;
  const labelWidth = Math.ceil(Math.max(40, ...rows.map((r) => r.label.length * CHAR))) + 12;
  const longestHeader = Math.max(20, ...columns.map((c) => c.label.length * CHAR));
  const headerHeight = Math.ceil(longestHeader * Math.sin((HEADER_ANGLE * Math.PI) / 180)) + 16;
  const width = labelWidth + columns.length * (CELL + GAP) + Math.ceil(longestHeader * 0.72);
  const height = headerHeight + rows.length * (CELL + GAP) + 4;
  const parts: Markup[] = [];

  columns.forEach((c, j) => {
    const cx = labelWidth + j * (CELL + GAP) + CELL / 2;
    const y = headerHeight - 8;
    parts.push(
      el(
        'text',
        {
          class: `viz-matrix-head viz-breadth-text--${c.breadth}`,
          x: cx,
          y,
          transform: `rotate(-${HEADER_ANGLE} ${num(cx)} ${num(y)})`,
        },
        text(c.label),
      ),
    );
  });
  rows.forEach((r, i) => {
    const y = headerHeight + i * (CELL + GAP);
    parts.push(el('text', { class: 'viz-row-label', x: 0, y: y + CELL / 2 + 4 }, text(r.label)));
    columns.forEach((c, j) => {
      const x = labelWidth + j * (CELL + GAP);
      const asked = input.asks[i]?.[j] === true;
      parts.push(
        el(
          'rect',
          {
            class: asked
              ? `viz-cell viz-breadth--${c.breadth} ${c.held ? 'viz-cell--held' : 'viz-cell--not-held'}`
              : 'viz-cell viz-cell--empty',
            x,
            y,
            width: CELL,
            height: CELL,
            rx: 3,
          },
          ...(asked
            ? [
                el(
                  'title',
                  {},
                  text(`${r.label} · ${c.label}: ${t.breadth(c.breadth)}, ${c.held ? t.held : t.notHeld}`),
                ),
              ]
            : []),
        ),
      );
    });
  });

  const desc = [
    t.matrixSummary(rows.length, columns.length),
    ...columns.map((c, j) =>
      t.matrixScope({
        scope: c.label,
        breadth: c.breadth,
        held: c.held,
        features: rows.filter((_, i) => input.asks[i]?.[j] === true).map((r) => r.label),
      }),
    ),
  ].join(' ');
  return svg(
    { id: opts.id, title: t.matrixTitle, desc, className: 'viz viz-matrix', viewBox: { width, height } },
    join(parts),
  );
}
