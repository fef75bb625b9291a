// Table cells and the small formatters feature pages share (pure).
import type { Cell, Link } from '../web/views.js';

export const text = (value: string | number | undefined): Cell => ({
  kind: 'text',
  text: value === undefined ? '' : String(value),
});
export const code = (value: string, href?: string): Cell =>
  href ? { kind: 'code', text: value, href } : { kind: 'code', text: value };
export const link = (value: string, href: string): Cell => ({ kind: 'link', text: value, href });
export const status = (value: string): Cell => ({ kind: 'status', text: value, status: value });
export const actions = (...list: Link[]): Cell => ({ kind: 'actions', actions: list });

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05 UTC`. */
export function fmtDate(s: string | undefined): string {
  return s ? s.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '';
}

/** Bytes in binary units: `1536` → `1.5 KiB`. */
export function fmtBytes(n: string | number | undefined): string {
  const v = Number(n ?? 0);
  if (!Number.isFinite(v)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? x : x.toFixed(1)} ${units[i]}`;
}

/** The last segment of a resource name or URL: `zones/us-central1-a/machineTypes/e2-small` → `e2-small`. */
export function lastSegment(s: string | undefined): string {
  return s ? s.slice(s.lastIndexOf('/') + 1) : '';
}

/** A local URL with a query (undefined values left out). */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
