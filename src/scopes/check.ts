/**
 * The least-privilege check of the catalogue against the Discovery data (pure).
 *
 * Rules, one finding code each:
 *  - `duplicate-feature-id`, `invalid-feature-id`, `no-methods`, `no-scopes`: the catalogue's own shape;
 *  - `unknown-method`: a method id that methods.json doesn't list;
 *  - `unknown-scope`: an asked scope no Discovery doc declares;
 *  - `method-not-authorized`: no asked scope authorizes one of the feature's methods;
 *  - `unneeded-scope`: an asked scope that authorizes none of the feature's methods;
 *  - `redundant-scope`: every method an asked scope authorizes is also authorized by another asked scope
 *    that grants at least as much (the user would hold that one anyway);
 *  - `broader-than-needed`: for an asked scope S, with M(S) = the feature's methods S authorizes, some scope N
 *    narrower than S (see narrowness.ts) authorizes every method of M(S);
 *  - `split-available`: no single narrower scope replaces S, but a SET of scopes, each narrower than S, does
 *    (each method of M(S) authorized by one of them), e.g. logging.read + devstorage.read_only instead of
 *    cloud-platform.read-only for a feature reading logs and buckets;
 *  - `broad-only-note-missing` / `broad-only-note-stale`: `broadOnly` must be set exactly when the feature asks
 *    for a cloud-wide scope (which, by the rules above, means Google offers nothing narrower);
 *  - `source-disagreement` / `stale-source-note`: when the data carries its evidence (see evidence.ts), every
 *    disagreement between the sources must be resolved by a note, and every note must resolve one.
 * "Authorizes" always means: per the union of the sources (the data handed in is the union view).
 */
import { findMethod, type Discovery, type MethodId } from './discovery.js';
import { checkSources, type EvidenceCarrier } from './evidence.js';
import type { FeatureScopes as Feature } from './catalogue.js';
import { compareBreadth, isCloudWide, narrowestScopeFor } from './narrowness.js';
import { shortScope } from './scope-names.js';

export type FindingCode =
  | 'duplicate-feature-id'
  | 'invalid-feature-id'
  | 'no-methods'
  | 'no-scopes'
  | 'unknown-method'
  | 'unknown-scope'
  | 'method-not-authorized'
  | 'unneeded-scope'
  | 'redundant-scope'
  | 'broader-than-needed'
  | 'split-available'
  | 'broad-only-note-missing'
  | 'broad-only-note-stale'
  | 'source-disagreement'
  | 'stale-source-note';

export interface Finding {
  readonly code: FindingCode;
  readonly featureId: string;
  readonly methodId?: MethodId;
  readonly scope?: string;
  /** For `broader-than-needed`: the narrower scope that would do. */
  readonly suggestion?: string;
  /** For `split-available`: the narrower scopes that together would do. */
  readonly suggestions?: readonly string[];
  readonly message: string;
}

const FEATURE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

function list(items: readonly string[]): string {
  return items.join(', ');
}

export function checkCatalogue(features: readonly Feature[], discovery: Discovery): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();

  for (const f of features) {
    const where = `Feature "${f.id}"`;
    if (seen.has(f.id)) {
      findings.push({ code: 'duplicate-feature-id', featureId: f.id, message: `${where} is defined more than once` });
    }
    seen.add(f.id);
    if (!FEATURE_ID.test(f.id)) {
      findings.push({
        code: 'invalid-feature-id',
        featureId: f.id,
        message: `${where}: the id must be lower-case words joined by "-" (it is used in URLs)`,
      });
    }
    if (f.methods.length === 0) {
      findings.push({ code: 'no-methods', featureId: f.id, message: `${where} lists no Google API methods` });
    }
    if (f.scopes.length === 0) {
      findings.push({ code: 'no-scopes', featureId: f.id, message: `${where} asks for no scopes` });
    }

    // Methods: known, and authorized by at least one asked scope.
    const accepted = new Map<MethodId, readonly string[]>();
    for (const m of f.methods) {
      const info = findMethod(discovery, m);
      if (!info) {
        findings.push({
          code: 'unknown-method',
          featureId: f.id,
          methodId: m,
          message: `${where} calls ${m}, which the Discovery data (methods.json) does not list`,
        });
        continue;
      }
      accepted.set(m, info.scopes);
      if (!f.scopes.some((s) => info.scopes.includes(s))) {
        const best = narrowestScopeFor(info.scopes);
        findings.push({
          code: 'method-not-authorized',
          featureId: f.id,
          methodId: m,
          ...(best !== undefined ? { suggestion: best } : {}),
          message:
            `${where} calls ${m}, but none of the scopes it asks for (${list(f.scopes.map(shortScope)) || 'none'}) ` +
            `authorizes it; Google accepts ${list(info.scopes.map(shortScope)) || 'no OAuth scope'}` +
            (best !== undefined ? ` (narrowest: ${shortScope(best)})` : ''),
        });
      }
    }

    // Scopes: declared, needed, not redundant, not broader than needed.
    const askedSeen = new Set<string>();
    for (const s of f.scopes) {
      if (askedSeen.has(s)) {
        findings.push({
          code: 'redundant-scope',
          featureId: f.id,
          scope: s,
          message: `${where} asks for ${shortScope(s)} more than once`,
        });
        continue;
      }
      askedSeen.add(s);
      if (!Object.hasOwn(discovery.scopes, s)) {
        findings.push({
          code: 'unknown-scope',
          featureId: f.id,
          scope: s,
          message: `${where} asks for "${s}", which no source (Discovery data, REST reference) declares`,
        });
        continue;
      }
      const needs = [...accepted].filter(([, scopes]) => scopes.includes(s)).map(([m]) => m);
      if (needs.length === 0) {
        findings.push({
          code: 'unneeded-scope',
          featureId: f.id,
          scope: s,
          message: `${where} asks for ${shortScope(s)}, but none of its methods (${list(f.methods)}) needs it`,
        });
        continue;
      }

      const coveredBy = f.scopes.find(
        (t) =>
          t !== s &&
          (compareBreadth(t, s) === 'broader' || compareBreadth(t, s) === 'equal') &&
          needs.every((m) => accepted.get(m)?.includes(t) === true),
      );
      if (coveredBy !== undefined) {
        findings.push({
          code: 'redundant-scope',
          featureId: f.id,
          scope: s,
          methodId: needs[0],
          message:
            `${where} asks for ${shortScope(s)}, but ${shortScope(coveredBy)}, which it also asks for, ` +
            `already authorizes ${list(needs)}`,
        });
        continue;
      }

      // Narrower scopes accepted by every method S is needed for.
      const alternatives = Object.keys(discovery.scopes).filter(
        (n) => compareBreadth(n, s) === 'narrower' && needs.every((m) => accepted.get(m)?.includes(n) === true),
      );
      const suggestion = narrowestScopeFor(alternatives);
      if (suggestion !== undefined) {
        findings.push({
          code: 'broader-than-needed',
          featureId: f.id,
          scope: s,
          methodId: needs[0],
          suggestion,
          message:
            `${where} asks for ${shortScope(s)} for ${list(needs)}, but the narrower ` +
            `${shortScope(suggestion)} also authorizes ${needs.length === 1 ? 'it' : 'them'}`,
        });
        continue;
      }
      const split = splitFor(s, needs, accepted);
      if (split !== undefined) {
        findings.push({
          code: 'split-available',
          featureId: f.id,
          scope: s,
          methodId: needs[0],
          suggestions: split,
          message:
            `${where} asks for ${shortScope(s)} for ${list(needs)}, but the narrower scopes ` +
            `${list(split.map(shortScope))} together authorize them (one per API)`,
        });
      }
    }

    // The broad-only note.
    const wide = f.scopes.filter(isCloudWide);
    if (wide.length > 0 && (f.broadOnly === undefined || f.broadOnly.trim() === '')) {
      findings.push({
        code: 'broad-only-note-missing',
        featureId: f.id,
        scope: wide[0],
        message: `${where} asks for the cloud-wide ${list(wide.map(shortScope))} but has no broadOnly note explaining that Google offers nothing narrower`,
      });
    }
    if (wide.length === 0 && f.broadOnly !== undefined) {
      findings.push({
        code: 'broad-only-note-stale',
        featureId: f.id,
        message: `${where} has a broadOnly note but asks for no cloud-wide scope`,
      });
    }
  }
  const evidence = (discovery as Discovery & EvidenceCarrier).evidence;
  if (evidence !== undefined) {
    for (const sf of checkSources(evidence)) {
      const users = features.filter((f) => f.methods.includes(sf.methodId)).map((f) => f.id);
      findings.push({
        code: sf.code,
        featureId: users.join(',') || '-',
        methodId: sf.methodId,
        scope: sf.scope,
        message: sf.message,
      });
    }
  }
  return findings;
}

/**
 * A set of scopes, each narrower than `asked`, that together authorize every method of `needs` (the narrowest
 * per method), when it has at least two members; undefined when some method has no narrower scope.
 */
export function splitFor(
  asked: string,
  needs: readonly MethodId[],
  accepted: ReadonlyMap<MethodId, readonly string[]>,
): string[] | undefined {
  const picks: string[] = [];
  for (const m of needs) {
    const narrower = (accepted.get(m) ?? []).filter((n) => compareBreadth(n, asked) === 'narrower');
    const best = narrowestScopeFor(narrower);
    if (best === undefined) return undefined;
    if (!picks.includes(best)) picks.push(best);
  }
  return picks.length >= 2 ? picks : undefined;
}

/** Thrown by `assertCatalogue`; the app refuses to start on it. */
export class CatalogueError extends Error {
  readonly code = 'CATALOGUE_INVALID';
  constructor(readonly findings: readonly Finding[]) {
    super(
      `The scope catalogue is invalid (${findings.length} finding${findings.length === 1 ? '' : 's'}):\n` +
        findings.map((f) => `  - [${f.code}] ${f.message}`).join('\n'),
    );
    this.name = 'CatalogueError';
  }
}

/** Throws `CatalogueError` (code `CATALOGUE_INVALID`) listing every finding; returns quietly when there are none. */
export function assertCatalogue(features: readonly Feature[], discovery: Discovery): void {
  const findings = checkCatalogue(features, discovery);
  if (findings.length > 0) throw new CatalogueError(findings);
}
