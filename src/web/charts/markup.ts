// Markup built by the chart builders: every text and attribute value is escaped on the way in, so a hostile label
// (a project named `<script>`, a log name with quotes) can only ever be text. `Markup` is a string the builders
// made; a view writes it raw (`<%~ %>`), and only a `Markup` may be written raw. Plain strings become markup only
// through `text()` (escaped): the type system keeps the two apart.

declare const markupBrand: unique symbol;
/** Escaped SVG or HTML made by `el` / `svg` (safe to write into a page as is). */
export type Markup = string & { readonly [markupBrand]: true };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or an attribute value. */
export function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export type AttrValue = string | number | boolean | undefined;

const NAME = /^[a-z][a-zA-Z0-9:-]*$/;

/** A number as an attribute: at most two decimals, never `NaN` or an exponent. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

function attrs(list: Readonly<Record<string, AttrValue>>): string {
  let out = '';
  for (const [k, v] of Object.entries(list)) {
    if (v === undefined || v === false) continue;
    if (!NAME.test(k)) throw new Error(`markup: bad attribute name ${k}`);
    out += v === true ? ` ${k}` : ` ${k}="${typeof v === 'number' ? num(v) : escapeText(v)}"`;
  }
  return out;
}

/** Text content: escaped, so it can only ever be text. */
export function text(s: string): Markup {
  return escapeText(s) as Markup;
}

/** One element: fixed names from our code, escaped attribute values, children that are already `Markup`. */
export function el(name: string, attributes: Readonly<Record<string, AttrValue>>, ...children: Markup[]): Markup {
  if (!NAME.test(name)) throw new Error(`markup: bad element name ${name}`);
  return `<${name}${attrs(attributes)}>${children.join('')}</${name}>` as Markup;
}

/** Concatenates markup (each part already escaped). */
export function join(parts: readonly Markup[]): Markup {
  return parts.join('') as Markup;
}

export const EMPTY = '' as Markup;

/**
 * A chart id from any text (a project id, a section id): lower-case letters, digits and hyphens, prefixed so it
 * never starts with a digit; unique enough within one page when the caller passes distinct inputs.
 */
export function chartId(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `viz-${cleaned || 'chart'}`;
}

export interface SvgFrame {
  /** Unique on the page: `<title>` and `<desc>` get `<id>-title` and `<id>-desc`. */
  id: string;
  /** The picture's name (read first by a screen reader). */
  title: string;
  /** Its full text equivalent: every number the picture shows. */
  desc: string;
  className: string;
  /** Either a fixed `viewBox` (the picture scales) or a height in CSS pixels (x positions in per cent). */
  viewBox?: { width: number; height: number };
  height?: number;
}

/** The accessible SVG around a chart: `role="img"`, labelled by its title and described by its desc. */
export function svg(frame: SvgFrame, ...children: Markup[]): Markup {
  const t = `${frame.id}-title`;
  const d = `${frame.id}-desc`;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      id: frame.id,
      class: frame.className,
      role: 'img',
      'aria-labelledby': t,
      'aria-describedby': d,
      focusable: 'false',
      ...(frame.viewBox
        ? {
            viewBox: `0 0 ${num(frame.viewBox.width)} ${num(frame.viewBox.height)}`,
            width: frame.viewBox.width,
            height: frame.viewBox.height,
          }
        : { width: '100%', height: frame.height ?? 24 }),
    },
    el('title', { id: t }, text(frame.title)),
    el('desc', { id: d }, text(frame.desc)),
    ...children,
  );
}
