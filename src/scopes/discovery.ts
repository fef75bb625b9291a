/**
 * Typed model of `vendor/google-discovery/methods.json`: which OAuth scopes authorize which Google Cloud API
 * methods, copied from Google's API Discovery documents (see the vendored README for provenance).
 *
 * The only I/O in this module is `loadDiscovery`; every other function is pure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { normaliseScope } from './scope-names.js';
import { loadScopeEvidence, mergeEvidence, type EvidenceCarrier } from './evidence.js';

/** `"<api>:<version>"`, e.g. `"compute:v1"`. */
export type ApiId = string;
/** `"<api>:<version>:<discovery method path>"`, e.g. `"compute:v1:instances.aggregatedList"`. */
export type MethodId = string;

const nonEmpty = z.string().min(1);

const methodSchema = z.object({
  id: nonEmpty,
  httpMethod: nonEmpty,
  path: z.string(),
  restPath: z.string(),
  scopes: z.array(nonEmpty),
  /** Where this one method was copied from, when not from its API's `source` file. */
  provenance: z.string().optional(),
});

const scopeInfoSchema = z.object({
  description: z.string(),
  apis: z.array(nonEmpty).min(1),
  descriptionsByApi: z.record(z.string(), z.string()).optional(),
});

const sourceSchema = z.object({
  repo: nonEmpty,
  path: z.string(),
  commit: nonEmpty,
  revision: nonEmpty,
  baseUrl: z.url(),
  fileLastChangedIn: z.string().optional(),
  note: z.string().optional(),
  /** Set by `scripts/refresh-discovery.ts` when the doc was fetched live. */
  url: z.string().optional(),
  fetchedAt: z.string().optional(),
});

const API_ID = /^[a-z0-9]+:v[0-9][a-z0-9]*$/;
const METHOD_ID = /^([a-z0-9]+:v[0-9][a-z0-9]*):([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)$/;

export const discoverySchema = z
  .object({
    source: z.record(z.string(), sourceSchema),
    scopes: z.record(nonEmpty, scopeInfoSchema),
    apiScopes: z.record(z.string(), z.record(nonEmpty, z.string())),
    methods: z.record(z.string(), methodSchema),
  })
  .superRefine((d, ctx) => {
    for (const api of Object.keys(d.source)) {
      if (!API_ID.test(api)) {
        ctx.addIssue({ code: 'custom', path: ['source', api], message: 'key must be "<api>:<version>"' });
      }
    }
    for (const api of Object.keys(d.apiScopes)) {
      if (!(api in d.source)) {
        ctx.addIssue({ code: 'custom', path: ['apiScopes', api], message: `API "${api}" has no entry in source` });
      }
    }
    for (const [key, m] of Object.entries(d.methods)) {
      const api = methodApi(key);
      if (!METHOD_ID.test(key)) {
        ctx.addIssue({ code: 'custom', path: ['methods', key], message: 'key must be "<api>:<version>:<method>"' });
      } else if (!(api in d.source)) {
        ctx.addIssue({ code: 'custom', path: ['methods', key], message: `API "${api}" has no entry in source` });
      }
      m.scopes.forEach((s, i) => {
        if (!(s in d.scopes)) {
          ctx.addIssue({
            code: 'custom',
            path: ['methods', key, 'scopes', i],
            message: `scope "${s}" is not listed in scopes`,
          });
        }
      });
    }
  });

export type Discovery = z.infer<typeof discoverySchema>;
export type DiscoveryMethod = z.infer<typeof methodSchema>;
export type DiscoveryScope = z.infer<typeof scopeInfoSchema>;
export type DiscoverySource = z.infer<typeof sourceSchema>;

/** Thrown by `loadDiscovery` / `parseDiscovery` when the file is missing, not JSON or not in the expected shape. */
export class DiscoveryError extends Error {
  readonly code = 'DISCOVERY_INVALID';
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid Google Discovery data in ${file}: ${detail}`, options);
    this.name = 'DiscoveryError';
  }
}

/** Thrown by the lookup helpers for an id the data doesn't know (a programming error). */
export class DiscoveryLookupError extends Error {
  constructor(
    readonly code: 'UNKNOWN_METHOD' | 'UNKNOWN_API',
    message: string,
  ) {
    super(message);
    this.name = 'DiscoveryLookupError';
  }
}

const VENDORED = join('vendor', 'google-discovery', 'methods.json');

/**
 * The vendored methods.json, found by walking up from this module's folder, so it works both from source
 * (`src/scopes/`) and compiled (`dist/src/scopes/`).
 */
export function defaultDiscoveryPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, VENDORED);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // Not found: name the path where it is expected relative to the repository root (src/scopes/ → ../../).
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', VENDORED);
}

/** `["methods", "compute:v1:instances.stop", "scopes", 0]` → `methods["compute:v1:instances.stop"].scopes[0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      const k = String(p);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k)) return i === 0 ? k : `.${k}`;
      return `[${JSON.stringify(k)}]`;
    })
    .join('');
}

/** Validates already-parsed JSON. `file` is only used to name the source in errors. */
export function parseDiscovery(json: unknown, file = '<discovery data>'): Discovery {
  const result = discoverySchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((i) => `${formatPath(i.path)}: ${i.message}`);
    const more = result.error.issues.length > 10 ? `; and ${result.error.issues.length - 10} more` : '';
    throw new DiscoveryError(file, issues.join('; ') + more);
  }
  return result.data;
}

/**
 * Reads and validates one Discovery methods.json file as it is (default: the vendored copy), without the other
 * evidence sources. Throws `DiscoveryError` naming the file. The app authorizes by `loadDiscovery` instead.
 */
export function loadDiscoveryFile(path: string = defaultDiscoveryPath()): Discovery {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DiscoveryError(path, `cannot read file (${(err as Error).message})`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DiscoveryError(path, `not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return parseDiscovery(json, path);
}

/** `"compute:v1:instances.stop"` → `"compute:v1"`. */
export function methodApi(methodId: MethodId): ApiId {
  const parts = methodId.split(':');
  return `${parts[0] ?? ''}:${parts[1] ?? ''}`;
}

/** The method's record, or undefined when the data doesn't list it. */
export function findMethod(d: Discovery, methodId: MethodId): DiscoveryMethod | undefined {
  return Object.hasOwn(d.methods, methodId) ? d.methods[methodId] : undefined;
}

/** The scopes that (each by itself) authorize the method, in the Discovery doc's order. Throws on an unknown id. */
export function methodScopes(d: Discovery, methodId: MethodId): readonly string[] {
  const m = findMethod(d, methodId);
  if (!m) throw new DiscoveryLookupError('UNKNOWN_METHOD', `Unknown Google API method "${methodId}"`);
  return m.scopes;
}

/** True when `scope` (by itself) authorizes the method; false for unknown methods. */
export function scopeAuthorizes(d: Discovery, scope: string, methodId: MethodId): boolean {
  return findMethod(d, methodId)?.scopes.includes(scope) ?? false;
}

/**
 * Google's description of a scope (accepts the `email`/`profile` short forms), or undefined if unknown or if no
 * source gave one (a scope only the REST reference declares may have none).
 */
export function scopeDescription(d: Discovery, uri: string): string | undefined {
  const key = normaliseScope(uri);
  const text = Object.hasOwn(d.scopes, key) ? d.scopes[key]?.description : undefined;
  return text === undefined || text === '' ? undefined : text;
}

/**
 * The real root of an API (`source[api].baseUrl`, ends with `/`); a method's URL is `baseUrl + method.path`.
 * Accepts an API id (`"compute:v1"`) or a method id (`"compute:v1:instances.stop"`). Throws on an unknown API.
 */
export function apiBaseUrl(d: Discovery, api: ApiId | MethodId): string {
  const key = methodApi(api);
  const src = Object.hasOwn(d.source, key) ? d.source[key] : undefined;
  if (!src) throw new DiscoveryLookupError('UNKNOWN_API', `Unknown Google API "${api}"`);
  return src.baseUrl;
}

/**
 * The scope data the app authorizes by: the Discovery file (default: the vendored one) merged with the REST
 * reference, its notes and the live evidence (see evidence.ts): a method's scopes are the union of the sources.
 * The result is Discovery-shaped, so readiness and the check read it unchanged, and carries `evidence`.
 */
export function loadDiscovery(path: string = defaultDiscoveryPath()): Discovery & EvidenceCarrier {
  return mergeEvidence(loadScopeEvidence({ discovery: path }));
}
