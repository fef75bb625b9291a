// Partial responses: the `fields` system parameter every Google REST API accepts
// (https://cloud.google.com/apis/docs/system-parameters, read 2026-12-01), e.g.
// `fields=entries(timestamp,severity),nextPageToken`: the answer keeps only those fields. Sub-selections use
// parentheses or `/` (`a/b`); `*` keeps everything below it. A malformed selection is a 400, as at Google.
import { invalidArgument } from './errors.js';

export type FieldTree = Map<string, FieldTree | true>;

export function parseFieldMask(text: string): FieldTree {
  let i = 0;
  const fail = () => invalidArgument(`Invalid field selection ${text}`);
  const list = (depth: number): FieldTree => {
    const tree: FieldTree = new Map();
    for (;;) {
      const m = /^\s*([A-Za-z_*][\w*]*(?:\/[A-Za-z_*][\w*]*)*)\s*/.exec(text.slice(i));
      if (!m) throw fail();
      i += m[0].length;
      const path = m[1]!.split('/');
      let sub: FieldTree | true = true;
      if (text[i] === '(') {
        i++;
        sub = list(depth + 1);
        if (text[i] !== ')') throw fail();
        i++;
      }
      // a/b(c) is a(b(c)).
      for (let k = path.length - 1; k >= 1; k--) sub = new Map([[path[k]!, sub]]);
      const key = path[0]!;
      const had = tree.get(key);
      tree.set(key, had === true || sub === true ? true : merge(had, sub));
      while (text[i] === ' ') i++;
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (depth > 0 ? text[i] === ')' : i === text.length) return tree;
      throw fail();
    }
  };
  return list(0);
}

function merge(a: FieldTree | undefined, b: FieldTree): FieldTree {
  if (!a) return b;
  const out: FieldTree = new Map(a);
  for (const [k, v] of b) {
    const had = out.get(k);
    out.set(k, had === true || v === true ? true : merge(had, v));
  }
  return out;
}

export function applyFieldMask(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => applyFieldMask(v, tree));
  if (value === null || typeof value !== 'object') return value;
  if (tree.has('*') && tree.get('*') === true) return value;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of tree) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    out[k] = sub === true ? v : applyFieldMask(v, sub);
  }
  return out;
}
