/**
 * Refreshes vendor/google-discovery/methods.json from Google's live API Discovery service (needs internet).
 *
 *   npm run build:dev && node dist/scripts/refresh-discovery.js [--check] [--file <methods.json>]
 *
 * For each API already in the file it fetches https://www.googleapis.com/discovery/v1/apis/{api}/{version}/rest,
 * walks the nested resources to every method the file lists, and rewrites the file in the same format
 * (see vendor/google-discovery/README.md), printing a summary of what changed (scope lists above all).
 * `--check` only reports the differences: exit 0 when no method's scope list changed, 1 when one did.
 * Any fetch or lookup problem (e.g. a listed method Google no longer has) exits 2 and writes nothing.
 *
 * Everything but `main` is pure and unit-tested (test/scopes/refresh-discovery.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { defaultDiscoveryPath, parseDiscovery, type Discovery } from '../src/scopes/discovery.js';

// ---- The parts of a Discovery document we read (https://developers.google.com/discovery/v1/reference/apis) ----

export interface DiscoveryDocMethod {
  id?: string;
  httpMethod?: string;
  path?: string;
  flatPath?: string;
  scopes?: string[];
}
export interface DiscoveryDocResource {
  methods?: Record<string, DiscoveryDocMethod>;
  resources?: Record<string, DiscoveryDocResource>;
}
export interface DiscoveryDoc extends DiscoveryDocResource {
  name?: string;
  version?: string;
  revision?: string;
  baseUrl?: string;
  rootUrl?: string;
  servicePath?: string;
  auth?: { oauth2?: { scopes?: Record<string, { description?: string }> } };
}

const docMethodSchema = z.looseObject({
  id: z.string().optional(),
  httpMethod: z.string().optional(),
  path: z.string().optional(),
  flatPath: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});
const docResourceSchema: z.ZodType<DiscoveryDocResource> = z.lazy(() =>
  z.looseObject({
    methods: z.record(z.string(), docMethodSchema).optional(),
    resources: z.record(z.string(), docResourceSchema).optional(),
  }),
);
const docSchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  revision: z.string().optional(),
  baseUrl: z.string().optional(),
  rootUrl: z.string().optional(),
  servicePath: z.string().optional(),
  auth: z
    .looseObject({
      oauth2: z
        .looseObject({ scopes: z.record(z.string(), z.looseObject({ description: z.string().optional() })).optional() })
        .optional(),
    })
    .optional(),
  methods: z.record(z.string(), docMethodSchema).optional(),
  resources: z.record(z.string(), docResourceSchema).optional(),
});

/** Validates a fetched doc just enough for the transform (unknown fields are kept and ignored). */
export function parseDiscoveryDoc(json: unknown, url: string): DiscoveryDoc {
  const r = docSchema.safeParse(json);
  if (!r.success) throw new Error(`${url}: not a Discovery document (${r.error.issues[0]?.message ?? 'invalid'})`);
  return r.data as DiscoveryDoc;
}

// ---- Pure transform ----

const DISCOVERY_ROOT = 'https://www.googleapis.com/discovery/v1/apis';

/** `"compute:v1"` → `https://www.googleapis.com/discovery/v1/apis/compute/v1/rest`. */
export function discoveryUrl(api: string): string {
  const [name, version] = api.split(':');
  return `${DISCOVERY_ROOT}/${name ?? ''}/${version ?? ''}/rest`;
}

function own<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
  return rec !== undefined && Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/**
 * Finds a method by its path in the doc (`"projects.serviceAccounts.keys.list"` →
 * `.resources.projects.resources.serviceAccounts.resources.keys.methods.list`); falls back to searching every
 * resource for the method whose `id` is `<doc name>.<path>`.
 */
export function findDocMethod(doc: DiscoveryDoc, methodPath: string): DiscoveryDocMethod | undefined {
  const parts = methodPath.split('.');
  const name = parts.pop();
  if (name === undefined) return undefined;
  let node: DiscoveryDocResource | undefined = doc;
  for (const r of parts) node = own(node?.resources, r);
  const direct = own(node?.methods, name);
  if (direct) return direct;

  const wantedId = `${doc.name ?? ''}.${methodPath}`;
  const search = (res: DiscoveryDocResource): DiscoveryDocMethod | undefined => {
    for (const m of Object.values(res.methods ?? {})) if (m.id === wantedId) return m;
    for (const child of Object.values(res.resources ?? {})) {
      const found = search(child);
      if (found) return found;
    }
    return undefined;
  };
  return search(doc);
}

/** Scope-merge rule of methods.json: the most common text (ties: first API in source order). */
function mergeScopes(
  apiOrder: readonly string[],
  apiScopes: Record<string, Record<string, string>>,
): Discovery['scopes'] {
  const uris = new Set<string>();
  for (const api of apiOrder) for (const uri of Object.keys(apiScopes[api] ?? {})) uris.add(uri);
  const merged: Discovery['scopes'] = {};
  for (const uri of [...uris].sort()) {
    const apis = apiOrder.filter((api) => own(apiScopes[api], uri) !== undefined);
    const byApi: Record<string, string> = {};
    for (const api of apis) byApi[api] = own(apiScopes[api], uri) ?? '';
    const counts = new Map<string, number>();
    for (const text of Object.values(byApi)) counts.set(text, (counts.get(text) ?? 0) + 1);
    let description = '';
    let best = 0;
    for (const [text, n] of counts) {
      if (n > best) {
        best = n;
        description = text;
      }
    }
    merged[uri] = counts.size > 1 ? { description, apis, descriptionsByApi: byApi } : { description, apis };
  }
  return merged;
}

export interface RefreshResult {
  readonly file: Discovery;
  /** Problems that make the refresh unusable (e.g. a listed method is gone); nothing should be written. */
  readonly errors: readonly string[];
}

/**
 * Builds the new methods.json from the previous one (which APIs and methods to keep, in which order) and the
 * freshly fetched docs (keyed `"<api>:<version>"`). `fetchedAt` is an ISO date (`YYYY-MM-DD`).
 */
export function buildMethodsFile(
  previous: Discovery,
  docs: Readonly<Record<string, DiscoveryDoc>>,
  fetchedAt: string,
): RefreshResult {
  const errors: string[] = [];
  const apiOrder = Object.keys(previous.source);
  const source: Discovery['source'] = {};
  const apiScopes: Discovery['apiScopes'] = {};

  for (const api of apiOrder) {
    const doc = own(docs, api);
    const old = previous.source[api];
    if (!doc || !old) {
      errors.push(`${api}: no Discovery document fetched`);
      if (old) source[api] = old;
      apiScopes[api] = previous.apiScopes[api] ?? {};
      continue;
    }
    const url = discoveryUrl(api);
    const baseUrl = doc.baseUrl ?? (doc.rootUrl !== undefined ? doc.rootUrl + (doc.servicePath ?? '') : undefined);
    if (baseUrl === undefined) errors.push(`${api}: the Discovery document has no baseUrl`);
    if (doc.revision === undefined) errors.push(`${api}: the Discovery document has no revision`);
    source[api] = {
      repo: DISCOVERY_ROOT,
      path: url.slice(DISCOVERY_ROOT.length + 1),
      commit: `live (fetched ${fetchedAt})`,
      revision: doc.revision ?? old.revision,
      baseUrl: baseUrl ?? old.baseUrl,
      url,
      fetchedAt,
    };
    const scopes: Record<string, string> = {};
    for (const [uri, info] of Object.entries(doc.auth?.oauth2?.scopes ?? {})) scopes[uri] = info.description ?? '';
    apiScopes[api] = scopes;
  }

  const methods: Discovery['methods'] = {};
  for (const [key, old] of Object.entries(previous.methods)) {
    const [name, version, ...rest] = key.split(':');
    const api = `${name ?? ''}:${version ?? ''}`;
    const doc = own(docs, api);
    if (!doc) {
      methods[key] = old;
      continue;
    }
    const m = findDocMethod(doc, rest.join(':'));
    if (!m) {
      errors.push(`${key}: method not found in ${discoveryUrl(api)}`);
      methods[key] = old;
      continue;
    }
    if (m.id === undefined || m.httpMethod === undefined || m.path === undefined) {
      errors.push(`${key}: the Discovery method lacks id, httpMethod or path`);
      methods[key] = old;
      continue;
    }
    methods[key] = {
      id: m.id,
      httpMethod: m.httpMethod,
      path: m.flatPath ?? m.path,
      restPath: m.path,
      scopes: [...(m.scopes ?? [])],
    };
  }

  return { file: { source, scopes: mergeScopes(apiOrder, apiScopes), apiScopes, methods }, errors };
}

export interface DiffReport {
  /** Methods whose scope list changed (order-insensitive), with what was added and removed. */
  readonly scopeChanges: readonly { methodId: string; added: string[]; removed: string[] }[];
  /** Methods whose scope list kept the same members but changed order. */
  readonly reordered: readonly string[];
  readonly otherMethodChanges: readonly { methodId: string; fields: string[] }[];
  readonly apiScopeChanges: readonly { api: string; added: string[]; removed: string[]; reworded: string[] }[];
  readonly revisions: readonly { api: string; from: string; to: string }[];
}

export function diffMethodsFiles(before: Discovery, after: Discovery): DiffReport {
  const scopeChanges: { methodId: string; added: string[]; removed: string[] }[] = [];
  const reordered: string[] = [];
  const otherMethodChanges: { methodId: string; fields: string[] }[] = [];
  for (const [id, a] of Object.entries(after.methods)) {
    const b = own(before.methods, id);
    if (!b) {
      scopeChanges.push({ methodId: id, added: [...a.scopes], removed: [] });
      continue;
    }
    const added = a.scopes.filter((s) => !b.scopes.includes(s));
    const removed = b.scopes.filter((s) => !a.scopes.includes(s));
    if (added.length > 0 || removed.length > 0) scopeChanges.push({ methodId: id, added, removed });
    else if (a.scopes.join(' ') !== b.scopes.join(' ')) reordered.push(id);
    const fields = (['id', 'httpMethod', 'path', 'restPath'] as const).filter((f) => a[f] !== b[f]);
    if (fields.length > 0) otherMethodChanges.push({ methodId: id, fields });
  }
  const apiScopeChanges: { api: string; added: string[]; removed: string[]; reworded: string[] }[] = [];
  const revisions: { api: string; from: string; to: string }[] = [];
  for (const [api, a] of Object.entries(after.apiScopes)) {
    const b = own(before.apiScopes, api) ?? {};
    const added = Object.keys(a).filter((s) => !(s in b));
    const removed = Object.keys(b).filter((s) => !(s in a));
    const reworded = Object.keys(a).filter((s) => s in b && b[s] !== a[s]);
    if (added.length + removed.length + reworded.length > 0) apiScopeChanges.push({ api, added, removed, reworded });
  }
  for (const [api, a] of Object.entries(after.source)) {
    const b = own(before.source, api);
    if (b && b.revision !== a.revision) revisions.push({ api, from: b.revision, to: a.revision });
  }
  return { scopeChanges, reordered, otherMethodChanges, apiScopeChanges, revisions };
}

export function formatDiff(d: DiffReport): string {
  const short = (s: string): string => s.replace('https://www.googleapis.com/auth/', '');
  const out: string[] = [];
  for (const r of d.revisions) out.push(`revision ${r.api}: ${r.from} → ${r.to}`);
  for (const c of d.scopeChanges) {
    out.push(
      `SCOPES ${c.methodId}:` +
        (c.added.length > 0 ? ` +${c.added.map(short).join(' +')}` : '') +
        (c.removed.length > 0 ? ` -${c.removed.map(short).join(' -')}` : ''),
    );
  }
  for (const id of d.reordered) out.push(`scope order ${id}: changed (same scopes)`);
  for (const c of d.otherMethodChanges) out.push(`method ${c.methodId}: ${c.fields.join(', ')} changed`);
  for (const c of d.apiScopeChanges) {
    const parts = [
      ...c.added.map((s) => `+${short(s)}`),
      ...c.removed.map((s) => `-${short(s)}`),
      ...c.reworded.map((s) => `~${short(s)}`),
    ];
    out.push(`auth scopes ${c.api}: ${parts.join(' ')}`);
  }
  if (d.scopeChanges.length === 0) out.push('No method scope list changed.');
  return out.join('\n');
}

/** The file text, in the vendored format (2-space JSON, trailing newline). */
export function serialiseMethodsFile(file: Discovery): string {
  return JSON.stringify(file, null, 2) + '\n';
}

// ---- I/O ----

async function fetchDoc(api: string): Promise<DiscoveryDoc> {
  const url = discoveryUrl(api);
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    throw new Error(`${url}: ${err instanceof Error ? err.message : String(err)}${cause}`, { cause: err });
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return parseDiscoveryDoc(await res.json(), url);
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { check: { type: 'boolean' }, file: { type: 'string' } },
    strict: true,
  });
  const file = values.file !== undefined ? resolve(values.file) : defaultDiscoveryPath();
  const previous = parseDiscovery(JSON.parse(readFileSync(file, 'utf8')), file);

  const docs: Record<string, DiscoveryDoc> = {};
  for (const api of Object.keys(previous.source)) {
    process.stderr.write(`fetching ${discoveryUrl(api)}\n`);
    docs[api] = await fetchDoc(api);
  }
  const { file: next, errors } = buildMethodsFile(previous, docs, new Date().toISOString().slice(0, 10));
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`error: ${e}\n`);
    return 2;
  }
  parseDiscovery(next, '<refreshed data>'); // the result must pass the app's own loader
  const diff = diffMethodsFiles(previous, next);
  process.stdout.write(formatDiff(diff) + '\n');
  if (values.check === true) return diff.scopeChanges.length > 0 ? 1 : 0;
  writeFileSync(file, serialiseMethodsFile(next));
  process.stdout.write(
    `wrote ${file}\nnext: npm run scopes (re-checks the catalogue), then update the README's source table\n`,
  );
  return 0;
}

const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(resolve(invoked)).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`refresh-discovery: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
