// Whether a feature may run for this session, and calling Google with the session's access token.
// A feature that lacks a scope shows what it would ask for and why; it never sends the user to the
// IdP on its own (no consent loops).
import type { Request, Response } from 'express';
import { featureReadiness, scopeDescription, shortScope, type Feature, type FeatureReadiness } from '../scopes/index.js';
import { GoogleApiError, InvalidInputError, type GoogleCallContext } from '../google/index.js';
import { NoAccessError, TokenServiceUnavailableError } from '../tokens/vault.js';
import type { TokenRecord } from '../tokens/token-store.js';
import { HttpError } from '../web/errors.js';
import type { FeatureRuntime } from './runtime.js';

export interface FeatureAccess {
  feature: Feature;
  granted: string[];
  readiness: FeatureReadiness;
  /** Set when the session's grant was lost (revoked at Google, expired, unreadable). */
  lost?: { at: number; reason: string };
}

/** The token record each request read for its readiness check (one store read per request, not two). */
const recordReadBy = new WeakMap<Request, TokenRecord | null>();

export async function featureAccess(rt: FeatureRuntime, req: Request, feature: Feature): Promise<FeatureAccess> {
  const record = await rt.tokenRecord(req);
  recordReadBy.set(req, record);
  const granted = record?.scopes ?? [];
  return {
    feature,
    granted,
    readiness: featureReadiness(feature, granted, rt.discovery),
    ...(record?.lost ? { lost: record.lost } : {}),
  };
}

/** Thrown when a feature cannot run without (more) consent. */
export class FeatureAccessError extends Error {
  constructor(
    readonly feature: Feature,
    readonly reason: 'NOT_GRANTED' | 'GRANT_LOST' | 'SCOPE_INSUFFICIENT' | 'NO_REFRESH_TOKEN',
  ) {
    super(`${feature.id}: ${reason}`);
  }
}

/**
 * The link that starts a feature's consent. `again`: ask Google even when the session's recorded scopes
 * say the feature is ready (Google refused the token for scope, so the record and the token disagree).
 */
export function consentHref(featureId: string, returnTo: string, again = false): string {
  return `/consent/${encodeURIComponent(featureId)}?returnTo=${encodeURIComponent(returnTo)}${again ? '&again=1' : ''}`;
}

/** Where a feature lives (vm-power acts from the VM list). */
export function featurePath(feature: Pick<Feature, 'id'>): string {
  return feature.id === 'vm-power' ? '/vms' : `/${feature.id}`;
}

/** Renders the "this feature needs access" page: what it will ask, in Google's words, and why. */
export function renderConsentNeeded(rt: FeatureRuntime, req: Request, res: Response, access: FeatureAccess, reason: FeatureAccessError['reason'] | 'NOT_GRANTED', status = 200, returnTo?: string): void {
  const missing = access.readiness.missingScopes.length > 0 ? access.readiness.missingScopes : access.feature.scopes;
  const requestedBefore = missing.filter((s) => access.feature.scopes.includes(s));
  const describe = (uri: string) => ({ uri, short: shortScope(uri), description: scopeDescription(rt.discovery, uri) ?? uri });
  rt.render(req, res, 'feature-consent', {
    title: access.feature.title,
    feature: access.feature,
    reason,
    lost: access.lost,
    partly: access.readiness.state === 'partly-granted',
    declined: declinedScopes(req, access).map(describe),
    missing: requestedBefore.map(describe),
    // After consent the browser comes back with a GET: a form post cannot be its destination.
    consentUrl: consentHref(access.feature.id, returnTo ?? (req.method === 'GET' ? req.originalUrl : featurePath(access.feature)), reason === 'SCOPE_INSUFFICIENT'),
  }, status);
}

/**
 * The scopes this feature's last consent asked for that it still lacks, once Google has answered (no
 * consent for it is pending): the user unticked them (or left Google's screen without finishing).
 */
function declinedScopes(req: Request, access: FeatureAccess): string[] {
  const last = req.session.lastConsent;
  if (!last || last.featureId !== access.feature.id || access.lost) return [];
  const pending = Object.values(req.session.logins ?? {}).some((tx) => tx.purpose === 'consent' && tx.featureId === access.feature.id);
  if (pending) return [];
  return access.readiness.missingScopes.filter((s) => last.scopes.includes(s));
}

/** Checks readiness; renders the consent-needed page and returns undefined when the feature is not ready. */
export async function ensureReady(rt: FeatureRuntime, req: Request, res: Response, feature: Feature, returnTo?: string): Promise<FeatureAccess | undefined> {
  const access = await featureAccess(rt, req, feature);
  if (access.readiness.state === 'ready') return access;
  renderConsentNeeded(rt, req, res, access, access.lost ? 'GRANT_LOST' : 'NOT_GRANTED', 200, returnTo);
  return undefined;
}

/**
 * Calls Google for a feature with a fresh access token. A 401 refreshes once and retries (Google did
 * not act on a request it refused to authenticate, so even a stop is safe to resend); an insufficient
 * scope becomes a FeatureAccessError (ask for consent); other Google errors become plain pages.
 */
export async function callGoogle<T>(rt: FeatureRuntime, req: Request, feature: Feature, fn: (ctx: GoogleCallContext) => Promise<T>): Promise<T> {
  const user = req.session.user;
  if (!user) throw new HttpError(401, 'NOT_SIGNED_IN', 'Please sign in', 'You need to sign in first.', { href: '/login', label: 'Sign in with Google' });
  const ref = req.sessionID;
  const ctxFor = (accessToken: string): GoogleCallContext => ({
    accessToken,
    timeoutMs: rt.googleTimeoutMs,
    ...(rt.apiBaseOverride ? { apiBaseOverride: rt.apiBaseOverride } : {}),
  });
  try {
    // The readiness check of this request already read the token record: use it once.
    const known = recordReadBy.get(req);
    recordReadBy.delete(req);
    const token = await rt.vault.accessToken(ref, user.sub, known);
    try {
      return await fn(ctxFor(token.accessToken));
    } catch (err) {
      if (err instanceof GoogleApiError && err.code === 'UNAUTHENTICATED' && ref) {
        const again = await rt.vault.refreshAfterRejection(ref, user.sub, token.version);
        return await fn(ctxFor(again.accessToken));
      }
      throw err;
    }
  } catch (err) {
    throw translate(err, feature);
  }
}

function translate(err: unknown, feature: Feature): unknown {
  if (err instanceof NoAccessError) {
    return new FeatureAccessError(feature, err.reason === 'GRANT_LOST' ? 'GRANT_LOST' : err.reason === 'NO_REFRESH_TOKEN' ? 'NO_REFRESH_TOKEN' : 'NOT_GRANTED');
  }
  if (err instanceof TokenServiceUnavailableError) {
    return new HttpError(503, 'TOKEN_SERVICE_UNAVAILABLE', 'Google access could not be refreshed', `${err.message} Your access was kept.`);
  }
  if (err instanceof InvalidInputError) {
    return new HttpError(400, 'INVALID_INPUT', 'Check what you entered', err.message);
  }
  if (err instanceof GoogleApiError) {
    switch (err.code) {
      case 'SCOPE_INSUFFICIENT':
        return new FeatureAccessError(feature, 'SCOPE_INSUFFICIENT');
      case 'UNAUTHENTICATED':
        return new FeatureAccessError(feature, 'GRANT_LOST');
      case 'PERMISSION_DENIED':
        return new HttpError(403, 'GOOGLE_PERMISSION_DENIED', 'Google refused: missing IAM permission',
          `Your Google Cloud IAM role does not allow this (Google said: “${err.message}”). Scopewise has the access you granted; what is missing is a role on the project. Ask a project owner to grant it.`);
      case 'NOT_FOUND':
        return new HttpError(404, 'GOOGLE_NOT_FOUND', 'Not found', `Google found no such resource (${err.message}). Check the name and the project.`);
      case 'INVALID_ARGUMENT':
      case 'FAILED_PRECONDITION':
        return new HttpError(400, 'GOOGLE_INVALID_ARGUMENT', 'Google could not use that request', `Google said: “${err.message}”`);
      case 'RATE_LIMITED':
        return new HttpError(429, 'GOOGLE_RATE_LIMITED', 'Google is limiting requests', 'Google asked Scopewise to slow down. Please wait a little and try again.');
      default:
        return new HttpError(502, `GOOGLE_${err.code}`, 'Google is unavailable right now', 'Google Cloud did not answer properly. Nothing was changed by Scopewise; please try again shortly.');
    }
  }
  return err;
}
