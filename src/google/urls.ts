/**
 * Google API URLs (docs/contracts.md "Google API URLs"): a method's URL is `root + path`, where root is the
 * Discovery `baseUrl`, or, with `GOOGLE_API_BASE_URL` = B, `B/<host>/<rest>` of that baseUrl.
 */
import { InvalidInputError } from './ids.js';

function stripTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2f /* / */) end--;
  return value.slice(0, end);
}

/**
 * The root of an API. `baseUrl` must be an absolute `https://<host>/<rest>` URL (Discovery's `baseUrl`);
 * `override` (B) must be an absolute http(s) URL without query or fragment. The result always ends in `/`.
 */
export function apiRoot(baseUrl: string, override?: string): string {
  const real = new URL(baseUrl);
  if (
    real.protocol !== 'https:' ||
    real.search !== '' ||
    real.hash !== '' ||
    real.username !== '' ||
    real.password !== ''
  ) {
    throw new TypeError('baseUrl must be an https URL without query, fragment or credentials');
  }
  const restPath = real.pathname.endsWith('/') ? real.pathname : `${real.pathname}/`;
  if (override === undefined || override === '') {
    return `${real.origin}${restPath}`;
  }
  let b: URL;
  try {
    b = new URL(override);
  } catch {
    throw new TypeError('apiBaseOverride must be an absolute http(s) URL');
  }
  if (
    (b.protocol !== 'http:' && b.protocol !== 'https:') ||
    b.search !== '' ||
    b.hash !== '' ||
    b.username !== '' ||
    b.password !== ''
  ) {
    throw new TypeError('apiBaseOverride must be an absolute http(s) URL without query, fragment or credentials');
  }
  const prefix = stripTrailingSlashes(`${b.origin}${b.pathname}`);
  return `${prefix}/${real.host}${restPath}`;
}

export type PathParams = Readonly<Record<string, string>>;
export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type QueryParams = Readonly<Record<string, QueryValue>>;

const PLACEHOLDER = /\{(\+?)([A-Za-z0-9_.]+)\}/g;

/**
 * Fills `{name}` placeholders of a Discovery (flat) path with `encodeURIComponent`-ed values and appends the
 * query parameters (undefined skipped; arrays repeated). Empty values, "." and ".." (which a URL parser would
 * collapse) are rejected with `InvalidInputError`; `{+name}` (reserved expansion) is refused outright.
 */
export function methodUrl(root: string, path: string, params: PathParams = {}, query: QueryParams = {}): string {
  if (!root.endsWith('/')) throw new TypeError('root must end with "/"');
  if (path.startsWith('/')) throw new TypeError('path must be relative to the API root');
  const used = new Set<string>();
  const filled = path.replace(PLACEHOLDER, (_match, plus: string, name: string) => {
    if (plus === '+') throw new TypeError(`reserved expansion {+${name}} is not supported; use the flat path`);
    if (!Object.hasOwn(params, name)) throw new TypeError(`missing path parameter ${name}`);
    const value = params[name];
    if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
      throw new InvalidInputError(name, `Path parameter "${name}" must be a non-empty identifier.`);
    }
    used.add(name);
    return encodeURIComponent(value);
  });
  for (const name of Object.keys(params)) {
    if (!used.has(name)) throw new TypeError(`path parameter ${name} has no placeholder in ${path}`);
  }
  // Percent-encode the query ourselves (space → %20, not "+"), so every value reaches Google unambiguously.
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values: readonly string[] = Array.isArray(value) ? (value as readonly string[]) : [String(value)];
    for (const v of values) pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
  }
  const url = new URL(root + filled + (pairs.length > 0 ? `?${pairs.join('&')}` : ''));
  return url.toString();
}
