/** Plain-text and JSON views of the catalogue, for the CLI (pure). */
import type { FeatureScopes as Feature } from './catalogue.js';
import { shortScope } from './scope-names.js';

export const BROAD_ONLY_FLAG = '⚠ broad only';
export const ACCESS_NOTE_FLAG = 'ⓘ see note';

export interface CatalogueRow {
  readonly id: string;
  readonly title: string;
  readonly methods: readonly string[];
  readonly scopes: readonly string[];
  readonly shortScopes: readonly string[];
  readonly broadOnly: string | null;
  readonly accessNote: string | null;
}

export function catalogueRows(features: readonly Feature[]): CatalogueRow[] {
  return features.map((f) => ({
    id: f.id,
    title: f.title,
    methods: [...f.methods],
    scopes: [...f.scopes],
    shortScopes: f.scopes.map(shortScope),
    broadOnly: f.broadOnly ?? null,
    accessNote: f.accessNote ?? null,
  }));
}

/**
 * An aligned table: one block per feature, one line per method (a feature's scopes are listed on its first
 * lines), columns FEATURE / METHODS / SCOPE ASKED / NOTE.
 */
export function formatCatalogueTable(features: readonly Feature[]): string {
  const header = ['FEATURE', 'METHODS', 'SCOPE ASKED', 'NOTE'] as const;
  const lines: string[][] = [];
  for (const f of features) {
    const height = Math.max(f.methods.length, f.scopes.length, 1);
    for (let i = 0; i < height; i++) {
      lines.push([
        i === 0 ? f.id : '',
        f.methods[i] ?? '',
        f.scopes[i] !== undefined ? shortScope(f.scopes[i] ?? '') : '',
        i === 0 && f.broadOnly !== undefined
          ? BROAD_ONLY_FLAG
          : i === 0 && f.accessNote !== undefined
            ? ACCESS_NOTE_FLAG
            : '',
      ]);
    }
  }
  const rows: string[][] = [[...header], ...lines];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
