// /account: what this session holds and why; reduce access (revoke, then ask again for only what is
// used); /disconnect (revoke the grant at Google, then sign out).
import { Router } from 'express';
import { accountSummary, isIdentityScope, shortScope, SIGN_IN_SCOPES } from '../scopes/index.js';
import { audit } from '../log/audit.js';
import { destroySession } from '../sessions/session-ops.js';
import { redirectLocal, redirectToIssuer } from '../http/redirect.js';
import { startConsent } from './consent.js';
import { consentHref, featurePath } from './access.js';
import type { FeatureRuntime } from './runtime.js';

const STATE_LABEL: Record<string, string> = {
  ready: 'Ready',
  'needs-consent': 'Needs your consent',
  'partly-granted': 'Partly granted',
};

export function accountRoutes(rt: FeatureRuntime): Router {
  const router = Router();

  router.get('/account', rt.requireUser, async (req, res) => {
    const record = await rt.vault.record(req.sessionID);
    const granted = record?.scopes ?? [];
    const summary = accountSummary(rt.catalogue, granted, rt.discovery);
    const titles = new Map(rt.catalogue.map((f) => [f.id, f.title]));
    rt.render(req, res, 'account', {
      title: 'Account',
      lost: record?.lost,
      scopes: summary.scopes.map((s) => ({
        uri: s.scope,
        short: s.short,
        description: s.description ?? s.scope,
        identity: s.identity,
        usedBy: s.usedBy.map((id) => titles.get(id) ?? id),
        stillNeeded: s.stillNeeded,
        excess: s.excess,
      })),
      features: summary.features.map((f) => ({
        id: f.id,
        title: f.title,
        state: f.state,
        stateLabel: STATE_LABEL[f.state] ?? f.state,
        missing: f.missingScopes.map(shortScope),
        consentUrl: consentHref(f.id, '/account'),
        href: featurePath(f),
      })),
      excess: summary.excess.map(shortScope),
      holdsExcess: summary.holdsExcess,
    });
  });

  router.post('/account/reduce', rt.requireUser, rt.csrf.protect, async (req, res) => {
    const user = req.session.user!;
    const record = await rt.vault.record(req.sessionID);
    const summary = accountSummary(rt.catalogue, record?.scopes ?? [], rt.discovery);
    // Keep what the ready features use, without the excess.
    const keep = summary.scopes.filter((s) => !s.identity && !s.excess && s.usedBy.length > 0).map((s) => s.scope);
    const result = await rt.vault.revoke(req.sessionID, user.sub);
    audit(rt.logger, 'reduce-access', { sub: user.sub, dropped: summary.excess, kept: keep, revoked: result.revoked });
    if (!result.revoked) {
      return rt.render(req, res, 'message', {
        title: 'Access could not be reduced',
        heading: 'Google did not confirm the revocation',
        message: 'Scopewise dropped the tokens it held, but Google did not confirm that the grant was revoked. You can remove Scopewise’s access in your Google Account (Security → Third-party access).',
        action: { href: '/account', label: 'Back to your account' },
      }, 502);
    }
    if (keep.length === 0) return redirectLocal(res, '/account');
    // The revocation removed the whole grant, identity included: ask for who the user is again too (as at
    // sign-in), or the grant would be left without email and profile.
    const identity = SIGN_IN_SCOPES.filter((s) => s !== 'openid');
    const url = await startConsent(rt, req, { scopes: [...identity, ...keep.filter((s) => !isIdentityScope(s))], returnTo: '/account' });
    redirectToIssuer(res, url, rt.oidc.authorizationOrigin);
  });

  router.post('/disconnect', rt.requireUser, rt.csrf.protect, async (req, res) => {
    const user = req.session.user!;
    const result = await rt.vault.revoke(req.sessionID, user.sub);
    audit(rt.logger, 'disconnect', { sub: user.sub, revoked: result.revoked, error: result.error });
    await destroySession(req, res, rt.cookie);
    if (result.revoked) return redirectLocal(res, '/?disconnected=1');
    rt.render(req, res, 'message', {
      title: 'Signed out',
      heading: 'Signed out, but Google did not confirm the revocation',
      message: 'You are signed out of Scopewise and it no longer holds any token. Google did not confirm that it revoked Scopewise’s access, so please check your Google Account (Security → Third-party access) and remove it there.',
      action: { href: '/', label: 'Back to Scopewise' },
    }, 502);
  });

  return router;
}
