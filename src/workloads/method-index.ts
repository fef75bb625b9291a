/**
 * URL → Google API method → scopes, from the catalogue's data (Discovery `baseUrl` + flat `path` per method).
 *
 * All scope knowledge goes through one function, `acceptedScopes(data, methodId)`, so that when the REST
 * reference data joins the Discovery data (another piece of work), pointing that function at the union is the
 * only change. URL templates from workflow sources may hold computed parts (`${…}`); they are matched
 * conservatively: a computed part that is a whole path segment may stand for one or more segments, one inside a
 * segment for any text there. Whatever cannot be decided is reported as such, never guessed.
 */
import { findMethod, methodApi, type Discovery, type MethodId } from '../scopes/discovery.js';
import { narrowestScopeFor } from '../scopes/narrowness.js';

/** Stands for a computed part of a URL in a template string. */
export const COMPUTED = '\u0000';

/** The scopes that each by itself authorize the method (empty when the data does not list it). */
export function acceptedScopes(data: Discovery, methodId: MethodId): readonly string[] {
  return findMethod(data, methodId)?.scopes ?? [];
}

export interface MethodEntry {
  readonly methodId: MethodId;
  readonly httpMethod: string;
  /** Hosts the method is served on: the baseUrl's host, plus www.googleapis.com for APIs under a path prefix. */
  readonly hosts: readonly string[];
  /** Path segments of baseUrl + path, with `{param}` placeholders. */
  readonly segments: readonly string[];
  /** One compiled matcher per segment (`{param}` → one or more characters other than `/`). */
  readonly patterns: readonly RegExp[];
}

export interface MethodIndex {
  readonly entries: readonly MethodEntry[];
  acceptedScopes(methodId: MethodId): readonly string[];
}

export function buildMethodIndex(data: Discovery): MethodIndex {
  const entries: MethodEntry[] = [];
  for (const [methodId, method] of Object.entries(data.methods)) {
    const source = Object.hasOwn(data.source, methodApi(methodId)) ? data.source[methodApi(methodId)] : undefined;
    if (!source) continue;
    const base = new URL(source.baseUrl);
    const basePath = base.pathname.replace(/^\/+|\/+$/g, '');
    // compute/v1, storage/v1, bigquery/v2 also answer on www.googleapis.com under the same path.
    const hosts = basePath === '' ? [base.host] : [base.host, 'www.googleapis.com'];
    const segments = [...(basePath === '' ? [] : basePath.split('/')), ...method.path.split('/')];
    entries.push({
      methodId,
      httpMethod: method.httpMethod.toUpperCase(),
      hosts,
      segments,
      patterns: segments.map((segment, i) => methodSegmentRegex(segment, i === segments.length - 1)),
    });
  }
  return { entries, acceptedScopes: (id) => acceptedScopes(data, id) };
}

/** A URL as written in a workflow: literal text and computed parts, in order. */
export type UrlPart =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'computed'; readonly text: string };

/**
 * The parts of a Workflows value: a plain string is one literal; `${a + "b" + c}` splits on top-level `+` into
 * string literals and computed terms. Anything else inside `${}` is one computed part.
 */
export function urlParts(value: { kind: 'string'; value: string } | { kind: 'expression'; text: string }): UrlPart[] {
  if (value.kind === 'string') return [{ kind: 'literal', text: value.value }];
  const inner = value.text.trim().slice(2, -1);
  const terms = splitTopLevelPlus(inner);
  return terms.map((term): UrlPart => {
    const literal = stringLiteral(term);
    return literal === undefined ? { kind: 'computed', text: term } : { kind: 'literal', text: literal };
  });
}

function splitTopLevelPlus(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '+' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

function stringLiteral(term: string): string | undefined {
  if (/^"(?:[^"\\]|\\.)*"$/s.test(term)) {
    try {
      return JSON.parse(term) as string;
    } catch {
      return undefined;
    }
  }
  if (/^'(?:[^'\\]|\\.)*'$/s.test(term)) return term.slice(1, -1).replace(/\\(.)/g, '$1');
  return undefined;
}

export type TargetKind = 'google-api' | 'cloud-run' | 'cloud-functions' | 'other' | 'unknown';

export interface UrlShape {
  /** How to show it: computed parts as `${…}`. */
  readonly display: string;
  /** Lower-case host, computed parts as COMPUTED; undefined when the URL does not start with a literal scheme. */
  readonly host: string | undefined;
  /** `https://host` when the host is fully literal. */
  readonly origin: string | undefined;
  /** Path segments (query and fragment removed), computed parts as COMPUTED. */
  readonly segments: readonly string[];
  readonly target: TargetKind;
}

export function urlShape(parts: readonly UrlPart[]): UrlShape {
  const template = parts.map((p) => (p.kind === 'literal' ? p.text : COMPUTED)).join('');
  const display = parts.map((p) => (p.kind === 'literal' ? p.text : `\${${p.text}}`)).join('');
  const scheme = /^(https?):\/\//i.exec(template);
  if (!scheme) return { display, host: undefined, origin: undefined, segments: [], target: 'unknown' };
  const rest = template.slice(scheme[0].length);
  const hostEnd = rest.search(/[/?#]/);
  const rawHost = (hostEnd < 0 ? rest : rest.slice(0, hostEnd)).toLowerCase();
  const host = rawHost.replace(/:443$/, '');
  const afterHost = hostEnd < 0 ? '' : rest.slice(hostEnd);
  const cut = afterHost.search(/[?#]/);
  const path = cut < 0 ? afterHost : afterHost.slice(0, cut);
  const segments = path === '' ? [] : path.replace(/^\//, '').split('/');
  const origin = host.includes(COMPUTED) || host === '' ? undefined : `${scheme[1]?.toLowerCase()}://${host}`;
  return { display, host, origin, segments, target: targetOf(host) };
}

/** By the host's literal tail when part of it is computed (`${region} + "-run.googleapis.com"` is still Google's). */
function targetOf(host: string): TargetKind {
  if (host === '') return 'unknown';
  const computed = host.includes(COMPUTED);
  const tail = computed ? host.slice(host.lastIndexOf(COMPUTED) + 1) : host;
  const under = (domain: string): boolean =>
    computed
      ? tail.endsWith(`.${domain}`) || tail.endsWith(`-${domain}`)
      : host === domain || host.endsWith(`.${domain}`);
  if (under('googleapis.com')) return 'google-api';
  if (under('run.app')) return 'cloud-run';
  if (under('cloudfunctions.net')) return 'cloud-functions';
  return computed ? 'unknown' : 'other';
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const PARAM = /\{\+?[^}]+\}/g;

/**
 * A method's path segment as a pattern: `{param}` is one or more characters other than `/`; in the last segment
 * not `:` either, because there a `:` starts a custom method's verb (`projects/p:getIamPolicy` is never
 * `projects.get` with the id `p:getIamPolicy`; GUIDE_CUSTOM_METHODS).
 */
function methodSegmentRegex(segment: string, last: boolean): RegExp {
  return new RegExp(
    `^${segment
      .split(PARAM)
      .map(escapeRegex)
      .join(last ? '[^/:]+?' : '[^/]+?')}$`,
  );
}

function urlSegmentRegex(segment: string): RegExp {
  return new RegExp(`^${segment.split(COMPUTED).map(escapeRegex).join('.+')}$`);
}

/** One URL segment (maybe with computed text) against one method segment (maybe with placeholders). */
function segmentMatches(url: string, method: string, pattern: RegExp): boolean {
  if (!url.includes(COMPUTED)) return pattern.test(url);
  const sample = method.replace(PARAM, 'x');
  return urlSegmentRegex(url).test(sample) || pattern.test(url.split(COMPUTED).join('x'));
}

/**
 * Segment lists match when each URL segment matches its method segment. With `spanning`, a segment that is
 * entirely computed may also stand for several segments (e.g. a resource path held in a variable).
 */
function segmentsMatch(url: readonly string[], method: MethodEntry, spanning: boolean, i = 0, j = 0): boolean {
  const n = method.segments.length;
  if (i === url.length) return j === n;
  if (j === n) return false;
  const u = url[i] ?? '';
  if (u === COMPUTED) {
    const last = spanning ? n : j + 1;
    for (let k = j + 1; k <= last; k++) if (segmentsMatch(url, method, spanning, i + 1, k)) return true;
    return false;
  }
  const pattern = method.patterns[j];
  return (
    pattern !== undefined &&
    segmentMatches(u, method.segments[j] ?? '', pattern) &&
    segmentsMatch(url, method, spanning, i + 1, j + 1)
  );
}

/**
 * Methods whose URL the shape can be; `httpMethod` undefined (computed) matches any verb. A computed part is
 * first read as one path segment (the usual case: a project, a zone, a name); only when no method fits that way
 * may it stand for several segments.
 */
export function matchMethods(index: MethodIndex, shape: UrlShape, httpMethod: string | undefined): MethodId[] {
  if (shape.target !== 'google-api' || shape.host === undefined || shape.host.includes(COMPUTED)) return [];
  const host = shape.host;
  const candidates = index.entries.filter(
    (e) => e.hosts.includes(host) && (httpMethod === undefined || e.httpMethod === httpMethod),
  );
  for (const spanning of [false, true]) {
    const ids = candidates.filter((e) => segmentsMatch(shape.segments, e, spanning)).map((e) => e.methodId);
    if (ids.length > 0) return ids;
  }
  return [];
}

export type MethodResolution =
  | {
      readonly status: 'mapped';
      /** One method, or several that agree on the narrowest scope (shown as "any of"). */
      readonly methodIds: readonly MethodId[];
      /** Scopes that authorize every candidate. */
      readonly accepted: readonly string[];
      readonly narrowest: string;
    }
  | { readonly status: 'ambiguous'; readonly methodIds: readonly MethodId[]; readonly narrowestEach: readonly string[] }
  | { readonly status: 'unknown' }
  | { readonly status: 'unresolved' };

export function resolveMethod(index: MethodIndex, shape: UrlShape, httpMethod: string | undefined): MethodResolution {
  if (shape.target !== 'google-api') return { status: 'unresolved' };
  if (shape.host === undefined || shape.host.includes(COMPUTED)) return { status: 'unresolved' };
  const ids = matchMethods(index, shape, httpMethod);
  if (ids.length === 0) return { status: 'unknown' };
  const narrowestEach = ids.map((id) => narrowestScopeFor(index.acceptedScopes(id)) ?? '');
  const first = narrowestEach[0] ?? '';
  if (first === '' || narrowestEach.some((n) => n !== first))
    return { status: 'ambiguous', methodIds: ids, narrowestEach };
  const [head, ...tail] = ids.map((id) => index.acceptedScopes(id));
  const accepted = (head ?? []).filter((s) => tail.every((list) => list.includes(s)));
  return { status: 'mapped', methodIds: ids, accepted, narrowest: first };
}

/** A last path segment `name:verb` or `{param}:verb`. */
const CUSTOM_VERB_SEGMENT = /^(?:[^:{}/]*|\{[^}]+\}):[A-Za-z][A-Za-z0-9]*$/;

/** The HTTP verbs of `ids`, as the data lists them (e.g. `["POST"]` for `logging:v2:entries.list`). */
export function httpMethodsOf(index: MethodIndex, ids: readonly MethodId[]): string[] {
  const verbs = index.entries.filter((e) => ids.includes(e.methodId)).map((e) => e.httpMethod);
  return [...new Set(verbs)];
}

/**
 * Whether every one of `ids` is a custom method in Google's `:verb` form (`v2/entries:list`,
 * `…/services/{servicesId}:getIamPolicy`). Such a URL names exactly one method of its API, whatever Scopewise's
 * data lists, so a request with another verb cannot be a method the data leaves out (GUIDE_CUSTOM_METHODS). A
 * plain path (`…/instances/{instance}`) may carry other methods under other verbs (get, delete, patch).
 */
export function isCustomMethodUrl(index: MethodIndex, ids: readonly MethodId[]): boolean {
  const entries = index.entries.filter((e) => ids.includes(e.methodId));
  return entries.length > 0 && entries.every((e) => CUSTOM_VERB_SEGMENT.test(e.segments.at(-1) ?? ''));
}
