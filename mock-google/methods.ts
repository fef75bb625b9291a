// Loads the Google Discovery scope data (methods.json) and turns every method into a URL matcher.
// The mock's scope checks come only from this file, never from the app's own catalogue.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const MethodSchema = z.object({
  id: z.string(),
  httpMethod: z.string(),
  path: z.string(),
});
const FileSchema = z.object({
  source: z.record(z.string(), z.object({ baseUrl: z.string() })),
  scopes: z.record(z.string(), z.object({ description: z.string() })),
  methods: z.record(z.string(), MethodSchema),
});

export interface ApiMethod {
  /** methods.json key, e.g. `compute:v1:instances.stop`. */
  key: string;
  /** `compute:v1` */
  api: string;
  /** Discovery id, e.g. `compute.instances.stop`. */
  id: string;
  httpMethod: string;
  path: string;
  /** e.g. `compute.googleapis.com` */
  host: string;
  /** Path on the mock where the API's root lives, e.g. `/compute.googleapis.com/compute/v1/`. */
  mockRoot: string;
  regex: RegExp;
  paramNames: string[];
}

export interface Catalog {
  file: string;
  methods: ApiMethod[];
  /** Scope URI → human description (from `scopes[uri].description`). */
  scopeDescriptions: Map<string, string>;
  /** Hosts served under `/<host>/`. */
  hosts: Set<string>;
}

/** Walks up from this module's folder to the folder holding package.json (works from source and from dist/). */
export function findRepoRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`mock-google: no package.json above ${start}`);
    dir = parent;
  }
}

/** env GOOGLE_METHODS_JSON, else <repo>/vendor/google-discovery/methods.json, else <repo>/../shared/google-scopes/methods.json. */
export function resolveMethodsJsonPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['GOOGLE_METHODS_JSON'];
  if (fromEnv) return fromEnv;
  const root = findRepoRoot();
  const vendored = join(root, 'vendor', 'google-discovery', 'methods.json');
  if (existsSync(vendored)) return vendored;
  return join(root, '..', 'shared', 'google-scopes', 'methods.json');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds the matcher for `<mockRoot><path>`: `{name}` matches one segment (no `/`, no `:` so custom verbs stay apart). */
export function compilePath(mockRoot: string, path: string): { regex: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  let source = '';
  const template = mockRoot + path;
  const re = /\{\+?([^}]+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    source += escapeRegex(template.slice(last, m.index)) + '([^/:]+)';
    paramNames.push(m[1] ?? '');
    last = m.index + m[0].length;
  }
  source += escapeRegex(template.slice(last));
  return { regex: new RegExp(`^${source}$`), paramNames };
}

export function loadCatalog(file = resolveMethodsJsonPath()): Catalog {
  const parsed = FileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const methods: ApiMethod[] = [];
  const hosts = new Set<string>();
  for (const [key, m] of Object.entries(parsed.methods)) {
    const api = key.split(':').slice(0, 2).join(':');
    const source = parsed.source[api];
    if (!source) throw new Error(`mock-google: methods.json has no source.baseUrl for ${api}`);
    const base = new URL(source.baseUrl);
    const mockRoot = `/${base.host}${base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`}`;
    const { regex, paramNames } = compilePath(mockRoot, m.path);
    hosts.add(base.host);
    methods.push({
      key,
      api,
      id: m.id,
      httpMethod: m.httpMethod.toUpperCase(),
      path: m.path,
      host: base.host,
      mockRoot,
      regex,
      paramNames,
    });
  }
  const scopeDescriptions = new Map(Object.entries(parsed.scopes).map(([uri, s]) => [uri, s.description]));
  return { file, methods, scopeDescriptions, hosts };
}

export interface MethodMatch {
  method: ApiMethod;
  params: Record<string, string>;
}

/** Finds the method for an HTTP method + raw path; `pathOnly` is set when the path exists under another verb. */
export function matchMethod(
  catalog: Catalog,
  httpMethod: string,
  rawPath: string,
): MethodMatch | { pathOnly: boolean } {
  let pathOnly = false;
  for (const method of catalog.methods) {
    const m = method.regex.exec(rawPath);
    if (!m) continue;
    if (method.httpMethod !== httpMethod.toUpperCase()) {
      pathOnly = true;
      continue;
    }
    const params: Record<string, string> = {};
    method.paramNames.forEach((name, i) => {
      const raw = m[i + 1] ?? '';
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    });
    return { method, params };
  }
  return { pathOnly };
}
