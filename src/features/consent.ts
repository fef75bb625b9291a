// GET /consent/<feature>: incremental consent for exactly the scopes a feature is missing, with
// include_granted_scopes so Google merges it with what the user granted before.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { audit } from '../log/audit.js';
import { beginAuthorization } from '../auth/flow.js';
import { safeReturnTo } from '../auth/return-to.js';
import { redirectLocal, redirectToIssuer } from '../http/redirect.js';
import { saveSession } from '../sessions/session-ops.js';
import { HttpError } from '../web/errors.js';
import { featureAccess, featurePath } from './access.js';
import { SIGN_IN_SCOPES } from '../scopes/index.js';
import { parseInput } from './page.js';
import type { FeatureRuntime } from './runtime.js';

const consentQuery = z.object({
  returnTo: z.string({ error: 'expected a single value' }).max(2048).optional(),
  // Set by the page shown when Google refused the token for scope: ask even if the record says "ready".
  again: z.literal('1', { error: 'expected 1' }).optional(),
});


export interface ConsentRequest {
  scopes: readonly string[];
  returnTo: string;
  featureId?: string;
}

/** Starts an authorization request that adds `scopes` to the user's grant; returns the IdP URL. */
export async function startConsent(rt: FeatureRuntime, req: Request, consent: ConsentRequest): Promise<URL> {
  const user = req.session.user!;
  const hasRefresh = await rt.vault.hasRefreshToken(req.sessionID, user.sub);
  const url = await beginAuthorization(req, { oidc: rt.oidc, redirectUri: rt.redirectUri }, {
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
  });
  req.session.lastConsent = consent.featureId ? { featureId: consent.featureId, scopes: [...consent.scopes], at: Date.now() } : undefined;
  audit(rt.logger, 'consent-asked', { sub: user.sub, feature: consent.featureId, scopes: consent.scopes });
  await saveSession(req);
  return url;
}

export function consentRoutes(rt: FeatureRuntime): Router {
  const router = Router();

  /** Consent for a feature: back at once when it is ready, else to Google for exactly what it lacks. */
  const start = async (req: Request, res: Response, input: unknown, confirmed: boolean): Promise<void> => {
    const { returnTo: rawReturnTo, again } = parseInput(consentQuery, input);
    const featureId = String(req.params.featureId);
    const feature = rt.catalogue.find((f) => f.id === featureId);
    if (!feature) {
      throw new HttpError(400, 'UNKNOWN_FEATURE', 'No such feature', 'Scopewise has no feature by that name.', { href: '/', label: 'Back to Scopewise' });
    }
    const returnTo = safeReturnTo(rawReturnTo ?? featurePath(feature));
    const access = await featureAccess(rt, req, feature);
    if (access.readiness.state === 'ready' && !again) return redirectLocal(res, returnTo);
    const scopes = access.readiness.state === 'ready' ? access.feature.scopes : access.readiness.missingScopes;
    // A link on another site must not bounce a signed-in admin to Google: confirm here first, unless the browser
    // says the request came from Scopewise itself or the user typed it. A missing header (an old browser) and
    // same-site confirm too; the confirmation is a form with a CSRF token, so it cannot be forged in turn.
    const site = req.get('sec-fetch-site');
    if (!confirmed && site !== 'same-origin' && site !== 'none') {
      return rt.render(req, res, 'consent-confirm', {
        title: feature.title,
        feature,
        action: `/consent/${encodeURIComponent(feature.id)}`,
        returnTo,
        again: again === '1',
      });
    }
    // A grant lost at Google (removed in the Google Account) took who-the-user-is with it: ask for that too,
    // as at sign-in, or the new grant would hold no email or profile.
    const identity = access.lost ? SIGN_IN_SCOPES.filter((s) => s !== 'openid') : [];
    const url = await startConsent(rt, req, { scopes: [...identity, ...scopes], returnTo, featureId: feature.id });
    redirectToIssuer(res, url, rt.oidc.authorizationOrigin);
  };

  router.get('/consent/:featureId', rt.requireUser, async (req, res) => start(req, res, req.query, false));
  // The confirmation page's button: same-origin by construction (CSRF token), whatever the browser sends.
  router.post('/consent/:featureId', rt.requireUser, rt.csrf.protect, async (req, res) =>
    start(req, res, { returnTo: req.body?.returnTo, again: req.body?.again || undefined }, true));
  return router;
}
