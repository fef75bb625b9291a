/**
 * Readiness: can a feature run with the scopes this session really holds (pure)?
 *
 * Users can untick single scopes on Google's consent screen, so only the granted list counts, never what was
 * asked. A method is authorized when ANY granted scope authorizes it per the Discovery data, including a
 * broader one granted for something else (holding `compute` or `cloud-platform` makes `vms` ready, and then
 * nothing more is asked).
 */
import { findMethod, scopeDescription, type Discovery, type MethodId } from './discovery.js';
import type { FeatureScopes as Feature } from './catalogue.js';
import { isIdentityScope, normaliseScopes, shortScope } from './scope-names.js';
import { compareBreadth } from './narrowness.js';

export { normaliseScopes, normaliseScope, isIdentityScope, IDENTITY_SCOPES } from './scope-names.js';

export type FeatureState = 'ready' | 'needs-consent' | 'partly-granted';

export interface MethodReadiness {
  readonly methodId: MethodId;
  readonly authorized: boolean;
  /** The granted scopes that authorize the method (empty when not authorized). */
  readonly authorizedBy: readonly string[];
}

export interface FeatureReadiness {
  readonly featureId: string;
  /**
   * `ready`: every method is authorized. `needs-consent`: none of the asked scopes is granted (methods that other
   * held scopes happen to authorize do not count). `partly-granted`: some asked scopes granted, not all methods.
   */
  readonly state: FeatureState;
  readonly methods: readonly MethodReadiness[];
  /** The feature's asked scopes that authorize a not-yet-authorized method, in catalogue order. */
  readonly missingScopes: readonly string[];
}

export function featureReadiness(
  feature: Feature,
  granted: string | readonly string[],
  discovery: Discovery,
): FeatureReadiness {
  const held = normaliseScopes(granted);
  const methods: MethodReadiness[] = feature.methods.map((methodId) => {
    // An unknown method can never be authorized: fail closed (the catalogue check reports it).
    const accepted = findMethod(discovery, methodId)?.scopes ?? [];
    const authorizedBy = held.filter((s) => accepted.includes(s));
    return { methodId, authorized: authorizedBy.length > 0, authorizedBy };
  });

  const missingScopes = feature.scopes.filter((s) =>
    methods.some((m) => !m.authorized && (findMethod(discovery, m.methodId)?.scopes.includes(s) ?? false)),
  );

  const authorizedCount = methods.filter((m) => m.authorized).length;
  // Nothing this feature asks for (or anything as broad) is held: its consent is still to come, even when a
  // narrower scope another feature asked for authorizes one of its reads (compute.readonly, held for viewing VMs,
  // reads the operations a stop returns; it is not part of what "Start and stop VMs" asks for).
  const counts = (s: string) => feature.scopes.some((a) => ['broader', 'equal'].includes(compareBreadth(s, a)));
  let state: FeatureState;
  if (methods.length > 0 && authorizedCount === methods.length) state = 'ready';
  else if (!methods.some((m) => m.authorizedBy.some(counts)) && !feature.scopes.some((s) => held.includes(s)))
    state = 'needs-consent';
  else state = 'partly-granted';

  return { featureId: feature.id, state, methods, missingScopes: state === 'ready' ? [] : missingScopes };
}

export function featureState(
  feature: Feature,
  granted: string | readonly string[],
  discovery: Discovery,
): FeatureState {
  return featureReadiness(feature, granted, discovery).state;
}

/** The scopes to ask Google for before the feature can run: empty when it's ready. */
export function scopesToRequest(feature: Feature, granted: string | readonly string[], discovery: Discovery): string[] {
  return [...featureReadiness(feature, granted, discovery).missingScopes];
}

export interface GrantedScopeSummary {
  /** Normalised URI (`email` → `…/auth/userinfo.email`). */
  readonly scope: string;
  /** Short form for display, e.g. `compute.readonly`. */
  readonly short: string;
  /** Google's description, when Discovery knows the scope. */
  readonly description: string | undefined;
  /** openid / userinfo.email / userinfo.profile: who the user is; never excess. */
  readonly identity: boolean;
  /** Features that ask for this scope. */
  readonly askedBy: readonly string[];
  /** Features that use it: they ask for it, or it currently authorizes one of their methods. */
  readonly usedBy: readonly string[];
  /** Features that would lose a method if this scope alone were revoked (no other granted scope covers it). */
  readonly neededBy: readonly string[];
  /** Whether anything still needs it (`neededBy` is not empty). Identity scopes: always true (sign-in). */
  readonly stillNeeded: boolean;
  /** A granted non-identity scope that no feature asks for. */
  readonly excess: boolean;
}

export interface AccountSummary {
  readonly scopes: readonly GrantedScopeSummary[];
  /**
   * Granted non-identity scopes that no feature asks for (e.g. `cloud-platform` granted while the features in
   * use only ask for `compute.readonly`): the session holds broader access than its features use.
   */
  readonly excess: readonly string[];
  readonly holdsExcess: boolean;
  readonly features: readonly {
    readonly id: string;
    readonly title: string;
    readonly state: FeatureState;
    readonly missingScopes: readonly string[];
  }[];
}

export function accountSummary(
  features: readonly Feature[],
  granted: string | readonly string[],
  discovery: Discovery,
): AccountSummary {
  const held = normaliseScopes(granted);
  const readiness = features.map((f) => ({ feature: f, r: featureReadiness(f, held, discovery) }));

  const scopes: GrantedScopeSummary[] = held.map((scope) => {
    const identity = isIdentityScope(scope);
    const askedBy = features.filter((f) => f.scopes.includes(scope)).map((f) => f.id);
    const usedBy = readiness
      .filter(
        ({ feature, r }) => feature.scopes.includes(scope) || r.methods.some((m) => m.authorizedBy.includes(scope)),
      )
      .map(({ feature }) => feature.id);
    const neededBy = readiness
      .filter(({ r }) => r.methods.some((m) => m.authorizedBy.length === 1 && m.authorizedBy[0] === scope))
      .map(({ feature }) => feature.id);
    return {
      scope,
      short: shortScope(scope),
      description: scopeDescription(discovery, scope),
      identity,
      askedBy,
      usedBy,
      neededBy,
      stillNeeded: identity || neededBy.length > 0,
      excess: !identity && askedBy.length === 0,
    };
  });

  const excess = scopes.filter((s) => s.excess).map((s) => s.scope);
  return {
    scopes,
    excess,
    holdsExcess: excess.length > 0,
    features: readiness.map(({ feature, r }) => ({
      id: feature.id,
      title: feature.title,
      state: r.state,
      missingScopes: r.missingScopes,
    })),
  };
}
