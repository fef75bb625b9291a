// Incremental consent: /consent/<feature> asks Google for exactly the scopes the feature is missing, with
// include_granted_scopes so Google merges it with what the user granted before.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { beginAuthorization } from '../auth/flow.js';
import type { OidcProvider } from '../auth/oidc.js';
import { redirectLocal, redirectToIssuer, safeLocalPath } from '../http/redirect.js';
import type { AuditEvent } from '../log/audit.js';
import { isFeatureId, SIGN_IN_SCOPES, type FeatureId } from '../scopes/index.js';
import { saveSession } from '../sessions/session-ops.js';
import type { TokenVault } from '../tokens/vault.js';
import { HttpError } from '../web/errors.js';
import type { Render } from '../web/render.js';
import type { CsrfKit } from '../web/security.js';
import { parseInput, type FeatureEngine } from './engine.js';

const consentQuery = z.object({
  returnTo: z.string({ error: 'expected a single value' }).max(2048).optional(),
  // Set by the page shown when Google refused the token for scope: ask even if the record says "ready".
  again: z.literal('1', { error: 'expected 1' }).optional(),
});

export interface ConsentDeps {
  engine: FeatureEngine;
  oidc: OidcProvider;
  vault: TokenVault;
  redirectUri: string;
  render: Render;
  csrf: CsrfKit;
  audit(event: AuditEvent, fields: Record<string, unknown>): void;
  now(): number;
}

export interface ConsentRequest {
  scopes: readonly string[];
  returnTo: string;
  featureId?: FeatureId;
}

/** Starts an authorization request that adds `scopes` to the user's grant; returns the IdP URL. */
export async function startConsent(deps: ConsentDeps, req: Request, consent: ConsentRequest): Promise<URL> {
  const user = req.session.user!;
  const hasRefresh = await deps.vault.hasRefreshToken(req.sessionID, user.sub);
  const url = await beginAuthorization(
    req,
    { oidc: deps.oidc, redirectUri: deps.redirectUri, now: deps.now },
    {
      purpose: 'consent',
      // openid keeps an ID token coming, so the callback can check that the same account granted it.
      scope: ['openid', ...consent.scopes].join(' '),
      returnTo: consent.returnTo,
      requestedScopes: [...consent.scopes],
      ...(consent.featureId ? { featureId: consent.featureId } : {}),
      extraParams: {
        include_granted_scopes: 'true',
        access_type: 'offline',
        // Google issues a refresh token only on the first offline consent; force it only when we hold none.
        prompt: hasRefresh ? undefined : 'consent',
        login_hint: user.email || undefined,
      },
    },
  );
  req.session.lastConsent = consent.featureId
    ? { featureId: consent.featureId, scopes: [...consent.scopes], at: deps.now() }
    : undefined;
  deps.audit('consent-asked', { sub: user.sub, feature: consent.featureId, scopes: consent.scopes });
  await saveSession(req);
  return url;
}

export function consentRoutes(deps: ConsentDeps, requireUser: import('express').RequestHandler): Router {
  const router = Router();
  const { engine } = deps;

  /** Back at once when the feature is ready, else to Google for exactly what it lacks. */
  const start = async (req: Request, res: Response, input: unknown, confirmed: boolean): Promise<void> => {
    const { returnTo: rawReturnTo, again } = parseInput(consentQuery, input);
    const featureId = String(req.params.featureId);
    if (!isFeatureId(featureId)) {
      throw new HttpError(400, 'UNKNOWN_FEATURE', 'No such feature', 'Scopewise has no feature by that name.', {
        href: '/',
        label: 'Back to Scopewise',
      });
    }
    const feature = engine.feature(featureId);
    const returnTo = safeLocalPath(rawReturnTo ?? feature.path);
    const who = await engine.signedIn(req);
    const readiness = engine.readiness(who, feature);
    if (readiness.state === 'ready' && !again) return redirectLocal(res, returnTo);
    const scopes = readiness.state === 'ready' ? feature.scopes : readiness.missingScopes;
    // A link on another site must not bounce a signed-in admin to Google: confirm here first, unless the browser
    // says the request came from Scopewise itself or the user typed it. A missing header (an old browser) and
    // same-site confirm too; the confirmation is a form with a CSRF token, so it cannot be forged in turn.
    const site = req.get('sec-fetch-site');
    if (!confirmed && site !== 'same-origin' && site !== 'none') {
      return deps.render(req, res, 'consent-confirm', {
        title: feature.title,
        featureTitle: feature.title,
        action: `/consent/${encodeURIComponent(feature.id)}`,
        returnTo,
        again: again === '1',
      });
    }
    // A grant lost at Google (removed in the Google Account) took who-the-user-is with it: ask for that too,
    // as at sign-in, or the new grant would hold no email or profile.
    const identity = who.record?.lost ? SIGN_IN_SCOPES.filter((s) => s !== 'openid') : [];
    const url = await startConsent(deps, req, { scopes: [...identity, ...scopes], returnTo, featureId: feature.id });
    redirectToIssuer(res, url, deps.oidc.authorizationOrigin);
  };

  router.get('/consent/:featureId', requireUser, async (req, res) => start(req, res, req.query, false));
  // The confirmation page's button: same-origin by construction (CSRF token), whatever the browser sends.
  router.post('/consent/:featureId', requireUser, deps.csrf.protect, async (req, res) =>
    start(req, res, { returnTo: req.body?.returnTo, again: req.body?.again || undefined }, true),
  );
  return router;
}
