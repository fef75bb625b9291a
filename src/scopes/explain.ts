/**
 * "Why this scope?" for people (pure): per feature, the scope asked, which sources list it for each method,
 * whether it was verified live and when, and the narrower (or other) scopes considered with the reason each
 * was rejected. `npm run scopes` prints it; `/account` can render the same objects.
 */
import type { FeatureScopes as Feature } from './catalogue.js';
import type { Discovery, MethodId } from './discovery.js';
import { methodEvidence, type EvidenceCarrier, type LiveEvidence, type SourceName } from './evidence.js';
import { compareBreadth, RANK_BASIS } from './narrowness.js';
import { shortScope } from './scope-names.js';

export interface MethodSourcesView {
  readonly methodId: MethodId;
  /** Discovery's list, or null when the Discovery data does not list the method. */
  readonly discovery: readonly string[] | null;
  /** REST reference: status, and the list when read. */
  readonly rest: {
    readonly status: string;
    readonly scopes: readonly string[] | null;
    readonly url: string | null;
    readonly readOn: string | null;
  };
  /** Sources listing each asked scope for this method. */
  readonly askedListedBy: Readonly<Record<string, readonly SourceName[]>>;
  /** The latest live result against real Google for an asked scope, if any. */
  readonly live: { readonly outcome: LiveEvidence['outcome']; readonly verifiedOn: string } | null;
}

export interface ConsideredScope {
  readonly scope: string;
  readonly reason: string;
}

export interface FeatureExplanation {
  readonly featureId: string;
  readonly title: string;
  readonly asked: readonly string[];
  readonly methods: readonly MethodSourcesView[];
  /** Other scopes that authorize at least one of the feature's methods, with why each was not asked. */
  readonly considered: readonly ConsideredScope[];
  /** The latest date any asked scope was verified live for every method, or null. */
  readonly verifiedLiveOn: string | null;
  readonly notes: readonly string[];
}

function latest(dates: readonly string[]): string | null {
  return dates.length === 0 ? null : ([...dates].sort().at(-1) ?? null);
}

export function explainFeature(feature: Feature, data: Discovery & EvidenceCarrier): FeatureExplanation {
  const ev = data.evidence;
  const accepted = new Map<MethodId, readonly string[]>(
    feature.methods.map((m) => [m, Object.hasOwn(data.methods, m) ? (data.methods[m]?.scopes ?? []) : []]),
  );

  const methods: MethodSourcesView[] = feature.methods.map((m) => {
    const me = ev ? methodEvidence(ev, m) : undefined;
    const askedListedBy: Record<string, readonly SourceName[]> = {};
    for (const s of feature.scopes) {
      askedListedBy[s] = me
        ? (me.scopes.find((v) => v.scope === s)?.listedBy ?? [])
        : accepted.get(m)?.includes(s)
          ? ['discovery']
          : [];
    }
    const rest = me?.rest;
    const liveHits = (me?.live ?? []).filter((l) => l.scopesHeld.some((s) => feature.scopes.includes(s)));
    const last = liveHits.sort((a, b) => (a.verifiedOn < b.verifiedOn ? -1 : 1)).at(-1);
    return {
      methodId: m,
      discovery: me?.discovery
        ? [...me.discovery]
        : Object.hasOwn(data.methods, m) && !ev
          ? [...(accepted.get(m) ?? [])]
          : null,
      rest: {
        status: rest?.status ?? 'not-recorded',
        scopes: rest?.status === 'found' ? [...rest.scopes] : null,
        url: rest?.url ?? null,
        readOn: rest?.readOn ?? null,
      },
      askedListedBy,
      live: last ? { outcome: last.outcome, verifiedOn: last.verifiedOn } : null,
    };
  });

  const candidates = new Set<string>();
  for (const list of accepted.values()) for (const s of list) if (!feature.scopes.includes(s)) candidates.add(s);
  const considered: ConsideredScope[] = [...candidates]
    .sort()
    .map((scope) => ({ scope, reason: rejectionReason(scope, feature, accepted) }));

  const liveDates = methods.map((m) => (m.live?.outcome === 'accepted' ? m.live.verifiedOn : null));
  const verifiedLiveOn =
    liveDates.every((d) => d !== null) && liveDates.length > 0 ? latest(liveDates as string[]) : null;

  const notes: string[] = [];
  if (feature.scopeChoice) notes.push(feature.scopeChoice);
  for (const s of feature.scopes) {
    const basis = Object.hasOwn(RANK_BASIS, s) ? RANK_BASIS[s] : undefined;
    if (basis === 'scope-name-only')
      notes.push(`${shortScope(s)} is ranked by Google's scope name only (no description found).`);
  }
  return {
    featureId: feature.id,
    title: feature.title,
    asked: [...feature.scopes],
    methods,
    considered,
    verifiedLiveOn,
    notes,
  };
}

function rejectionReason(scope: string, feature: Feature, accepted: ReadonlyMap<MethodId, readonly string[]>): string {
  const missing = feature.methods.filter((m) => !(accepted.get(m) ?? []).includes(scope));
  for (const asked of feature.scopes) {
    const b = compareBreadth(scope, asked);
    if (b === 'broader') return `broader than ${shortScope(asked)}`;
    if (b === 'equal') return `grants the same as ${shortScope(asked)}`;
  }
  if (missing.length > 0) {
    return `does not authorize ${missing.join(', ')} (no source lists it for ${missing.length === 1 ? 'that method' : 'those methods'})`;
  }
  return `not narrower than ${feature.scopes.map(shortScope).join(', ')} (grants different access, not less)`;
}

export function explainCatalogue(
  features: readonly Feature[],
  data: Discovery & EvidenceCarrier,
): FeatureExplanation[] {
  return features.map((f) => explainFeature(f, data));
}

const SOURCE_LABEL: Record<SourceName, string> = { discovery: 'Discovery', 'rest-reference': 'REST ref', live: 'live' };

/** Plain text for the CLI: one block per feature. */
export function formatExplanations(list: readonly FeatureExplanation[]): string {
  const out: string[] = [];
  for (const e of list) {
    out.push(`${e.featureId} (${e.title}) asks ${e.asked.map(shortScope).join(', ')}`);
    for (const m of e.methods) {
      const listed = e.asked
        .map(
          (s) =>
            `${shortScope(s)}: ${(m.askedListedBy[s] ?? []).map((x) => SOURCE_LABEL[x]).join(' + ') || 'no source'}`,
        )
        .join('; ');
      const disc = m.discovery ? m.discovery.map(shortScope).join(' ') : 'method not listed';
      const rest = m.rest.scopes ? m.rest.scopes.map(shortScope).join(' ') : m.rest.status;
      const live = m.live ? `${m.live.outcome} on ${m.live.verifiedOn}` : 'not verified live';
      out.push(`  ${m.methodId}`);
      out.push(`    asked scope listed by: ${listed}`);
      out.push(`    Discovery: ${disc}`);
      out.push(`    REST reference: ${rest}${m.rest.readOn ? ` (read ${m.rest.readOn})` : ''}`);
      out.push(`    live: ${live}`);
    }
    for (const c of e.considered) out.push(`  considered ${shortScope(c.scope)}: ${c.reason}`);
    for (const n of e.notes) out.push(`  note: ${n}`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}
