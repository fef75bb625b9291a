/**
 * Scope evidence from several sources, and the union the app authorizes by (pure, except `loadScopeEvidence`).
 *
 * Sources, each with its own provenance:
 *  - `discovery`: Google's API Discovery documents (`vendor/google-discovery/methods.json`);
 *  - `rest-reference`: the "Authorization scopes" list of each method's REST reference page
 *    (`vendor/google-rest-reference/methods.json`);
 *  - `live`: what real Google answered to the live check (`vendor/google-live/verified.json`).
 * A method's accepted scopes are the union of what the sources list. Where the sources disagree about a
 * (method, scope), a one-line note (`vendor/google-rest-reference/notes.json`) says which source is believed;
 * the scope is accepted when the believed source lists it. A disagreement without a note is a finding
 * (`source-disagreement`), a note without a disagreement too (`stale-source-note`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defaultDiscoveryPath, loadDiscoveryFile, type Discovery, type MethodId } from './discovery.js';
import { isIdentityScope, shortScope } from './scope-names.js';

export type SourceName = 'discovery' | 'rest-reference' | 'live';

const restFound = z.object({
  status: z.literal('found'),
  url: z.string().min(1),
  readOn: z.string().min(1),
  pageLastUpdated: z.string().nullable(),
  httpRequest: z.string().optional(),
  scopes: z.array(z.string().min(1)),
  alsoSeenAt: z.array(z.string()).optional(),
  /** Why this copy of the page was read (e.g. a mirror where Google's own copy stops before the scopes). */
  note: z.string().optional(),
});
const restMissing = z.object({
  status: z.enum(['scopes-not-readable-in-corpus', 'not-found-in-corpus']),
  url: z.string().optional(),
  readOn: z.string().min(1),
  note: z.string().optional(),
  searched: z.array(z.string()).optional(),
});
export const restReferenceSchema = z.object({
  about: z.string().optional(),
  readOn: z.string().optional(),
  methods: z.record(z.string(), z.discriminatedUnion('status', [restFound, restMissing])),
  scopes: z.record(
    z.string(),
    z
      .object({
        description: z.string().nullable(),
        descriptionStatus: z.string().optional(),
        source: z.string().optional(),
      })
      .loose(),
  ),
});
export type RestReference = z.infer<typeof restReferenceSchema>;
export type RestEntry = RestReference['methods'][string];

export const sourceNoteSchema = z.object({
  method: z.string().min(1),
  scope: z.string().min(1),
  believe: z.enum(['discovery', 'rest-reference', 'live']),
  note: z.string().min(1),
});
export type SourceNote = z.infer<typeof sourceNoteSchema>;
const notesFileSchema = z.object({ about: z.string().optional(), notes: z.array(sourceNoteSchema) });

export const liveEvidenceSchema = z.object({
  method: z.string().min(1),
  /** The scopes the token held (identity scopes aside); a single scope makes the entry conclusive. */
  scopesHeld: z.array(z.string().min(1)),
  outcome: z.enum(['accepted', 'refused-for-scope']),
  status: z.number().int(),
  reason: z.string().optional(),
  /** YYYY-MM-DD. */
  verifiedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** `google` for real Google; anything else (e.g. `mock`) is kept but never counts as evidence. */
  against: z.string().min(1),
});
export type LiveEvidence = z.infer<typeof liveEvidenceSchema>;
export const liveFileSchema = z.object({ about: z.string().optional(), results: z.array(liveEvidenceSchema) });

export interface ScopeEvidence {
  readonly discovery: Discovery;
  readonly rest: RestReference;
  readonly notes: readonly SourceNote[];
  readonly live: readonly LiveEvidence[];
}

/** Thrown by `loadScopeEvidence` for a missing or malformed evidence file. */
export class EvidenceError extends Error {
  readonly code = 'EVIDENCE_INVALID';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Invalid scope evidence in ${file}: ${detail}`);
    this.name = 'EvidenceError';
  }
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EvidenceError(file, (err as Error).message);
  }
  const r = schema.safeParse(json);
  if (!r.success)
    throw new EvidenceError(
      file,
      r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; '),
    );
  return r.data;
}

export interface EvidencePaths {
  discovery?: string;
  rest?: string;
  notes?: string;
  live?: string;
}

/** The vendored evidence files next to the Discovery data (`vendor/…`). */
export function defaultEvidencePaths(discoveryPath: string = defaultDiscoveryPath()): Required<EvidencePaths> {
  const vendor = dirname(dirname(discoveryPath));
  return {
    discovery: discoveryPath,
    rest: join(vendor, 'google-rest-reference', 'methods.json'),
    notes: join(vendor, 'google-rest-reference', 'notes.json'),
    live: join(vendor, 'google-live', 'verified.json'),
  };
}

/**
 * Reads every evidence file (a missing live file counts as no live evidence); each path defaults to the vendored
 * file, whichever others are given. Throws `EvidenceError` / `DiscoveryError` naming the file.
 */
export function loadScopeEvidence(paths: EvidencePaths = {}): ScopeEvidence {
  const p = { ...defaultEvidencePaths(), ...stripUndefined(paths) };
  return {
    discovery: loadDiscoveryFile(p.discovery),
    rest: readJson(p.rest, restReferenceSchema),
    notes: readJson(p.notes, notesFileSchema).notes,
    live: existsSync(p.live) ? readJson(p.live, liveFileSchema).results : [],
  };
}

function stripUndefined(o: EvidencePaths): EvidencePaths {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as EvidencePaths;
}

// ---- Comparison ----

export interface ScopeVerdict {
  readonly scope: string;
  /** Which sources list the scope for the method (live: a conclusive `accepted` entry). */
  readonly listedBy: readonly SourceName[];
  /** Sources that have data for the method but do not list the scope. */
  readonly silentOrAgainst: readonly SourceName[];
  readonly accepted: boolean;
  /** The note that resolves a disagreement, if any. */
  readonly note?: SourceNote;
  readonly disagreement: boolean;
}

export interface MethodEvidence {
  readonly methodId: MethodId;
  /** Discovery's scope list, or undefined when the Discovery data does not list the method. */
  readonly discovery: readonly string[] | undefined;
  readonly rest: RestEntry | undefined;
  /** Live entries against real Google for this method. */
  readonly live: readonly LiveEvidence[];
  readonly scopes: readonly ScopeVerdict[];
  /** The union of the sources, after notes: what the app treats as authorizing the method. */
  readonly accepted: readonly string[];
}

const REAL_GOOGLE = 'google';

function liveFor(ev: ScopeEvidence, methodId: MethodId): LiveEvidence[] {
  return ev.live.filter((l) => l.method === methodId && l.against === REAL_GOOGLE);
}

/** Non-identity scopes a live entry held. */
function heldCloudScopes(l: LiveEvidence): string[] {
  return l.scopesHeld.filter((s) => !isIdentityScope(s));
}

/** Every method any source knows, in a stable order (Discovery's first). */
export function evidenceMethodIds(ev: ScopeEvidence): MethodId[] {
  const ids = [...Object.keys(ev.discovery.methods)];
  for (const id of Object.keys(ev.rest.methods)) if (!ids.includes(id)) ids.push(id);
  for (const l of ev.live) if (!ids.includes(l.method)) ids.push(l.method);
  return ids;
}

export function methodEvidence(ev: ScopeEvidence, methodId: MethodId): MethodEvidence {
  const discovery = Object.hasOwn(ev.discovery.methods, methodId) ? ev.discovery.methods[methodId]?.scopes : undefined;
  const rest = Object.hasOwn(ev.rest.methods, methodId) ? ev.rest.methods[methodId] : undefined;
  const restScopes = rest?.status === 'found' ? rest.scopes : undefined;
  const live = liveFor(ev, methodId);
  const liveAccepted = new Set(
    live.filter((l) => l.outcome === 'accepted' && heldCloudScopes(l).length === 1).flatMap(heldCloudScopes),
  );
  const liveRefused = new Set(live.filter((l) => l.outcome === 'refused-for-scope').flatMap(heldCloudScopes));

  const all: string[] = [];
  for (const s of [...(discovery ?? []), ...(restScopes ?? []), ...liveAccepted, ...liveRefused])
    if (!all.includes(s)) all.push(s);

  const scopes: ScopeVerdict[] = all.map((scope) => {
    const listedBy: SourceName[] = [];
    const silentOrAgainst: SourceName[] = [];
    if (discovery) (discovery.includes(scope) ? listedBy : silentOrAgainst).push('discovery');
    if (restScopes) (restScopes.includes(scope) ? listedBy : silentOrAgainst).push('rest-reference');
    if (liveAccepted.has(scope)) listedBy.push('live');
    else if (liveRefused.has(scope)) silentOrAgainst.push('live');
    const note = ev.notes.find((n) => n.method === methodId && n.scope === scope);
    const disagreement = listedBy.length > 0 && silentOrAgainst.length > 0;
    const accepted = note
      ? listedBy.includes(note.believe)
      : listedBy.length > 0 && !(liveRefused.has(scope) && !liveAccepted.has(scope));
    return { scope, listedBy, silentOrAgainst, accepted, disagreement, ...(note ? { note } : {}) };
  });
  return { methodId, discovery, rest, live, scopes, accepted: scopes.filter((s) => s.accepted).map((s) => s.scope) };
}

export type SourceFindingCode = 'source-disagreement' | 'stale-source-note';

export interface SourceFinding {
  readonly code: SourceFindingCode;
  readonly methodId: MethodId;
  readonly scope: string;
  readonly message: string;
}

/** Disagreements without a note, and notes without a disagreement. */
export function checkSources(ev: ScopeEvidence): SourceFinding[] {
  const out: SourceFinding[] = [];
  for (const id of evidenceMethodIds(ev)) {
    const m = methodEvidence(ev, id);
    for (const v of m.scopes) {
      if (v.disagreement && !v.note) {
        out.push({
          code: 'source-disagreement',
          methodId: id,
          scope: v.scope,
          message:
            `${id}: ${shortScope(v.scope)} is listed by ${v.listedBy.join(' and ')} but not by ${v.silentOrAgainst.join(' and ')}; ` +
            `add a note to vendor/google-rest-reference/notes.json saying which source is right and why`,
        });
      }
    }
  }
  for (const n of ev.notes) {
    const v = methodEvidence(ev, n.method).scopes.find((s) => s.scope === n.scope);
    if (!v?.disagreement) {
      out.push({
        code: 'stale-source-note',
        methodId: n.method,
        scope: n.scope,
        message: `${n.method}: the note about ${shortScope(n.scope)} resolves no disagreement any more; remove it`,
      });
    }
  }
  return out;
}

/** The evidence the union view was built from, carried along for the check and the explanations. */
export interface EvidenceCarrier {
  readonly evidence?: ScopeEvidence;
}

/**
 * The union view: a Discovery-shaped object whose method scope lists are the accepted union, and whose `scopes`
 * map also holds the scopes only the REST reference declares (description from the REST data, or empty when
 * Google's description was not found). Methods only the REST reference knows (no URL template) are not added.
 */
export function mergeEvidence(ev: ScopeEvidence): Discovery & EvidenceCarrier {
  const methods: Discovery['methods'] = {};
  for (const [id, m] of Object.entries(ev.discovery.methods)) {
    methods[id] = { ...m, scopes: [...methodEvidence(ev, id).accepted] };
  }
  const scopes: Discovery['scopes'] = { ...ev.discovery.scopes };
  for (const [uri, info] of Object.entries(ev.rest.scopes)) {
    if (Object.hasOwn(scopes, uri)) continue;
    scopes[uri] = { description: info.description ?? '', apis: ['rest-reference'] };
  }
  return { ...ev.discovery, methods, scopes, evidence: ev };
}
