// Express routes of the sign-in flow: /login, /auth/callback, /logout.
import { Router, type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import type { Audit } from '../log/audit.js';
import type { TokenVault } from '../tokens/vault.js';
import { normaliseScopeList } from '../tokens/token-set.js';
import { admit, hostedDomainHint, type AdmissionPolicy } from './admission.js';
import { AuthError } from './errors.js';
import { beginAuthorization, completeAuthorization, fetchProfile, SIGN_IN_SCOPE, type FlowDeps } from './flow.js';
import { safeReturnTo } from './return-to.js';
import { redirectLocal, redirectToIssuer } from '../http/redirect.js';
import { regenerateSession, saveSession, destroySession } from '../sessions/session-ops.js';
import { establishIdentity, type SessionCookieSettings } from '../sessions/middleware.js';

/** What account events (Cross-Account Protection) need from sign-in and sign-out. */
export interface SignInHooks {
  /** A reason to refuse this account now (disabled at Google), or undefined. */
  refusal(sub: string): Promise<string | undefined>;
  /** The session was created (index it by user). */
  signedIn(req: import('express').Request, sub: string): Promise<void>;
  /** The session ended by the user's own action. */
  signedOut(sid: string, sub: string): Promise<void>;
}

export interface AuthRouteDeps extends FlowDeps {
  baseUrl: URL;
  policy: AdmissionPolicy;
  vault: TokenVault;
  audit: Audit;
  cookie: SessionCookieSettings;
  csrfProtection: RequestHandler;
  hooks?: SignInHooks;
  /** Each consent's result per feature (metrics). */
  onConsent?(feature: string, outcome: 'granted' | 'declined'): void;
}

export function authRoutes(deps: AuthRouteDeps): Router {
  const router = Router();

  router.get('/login', async (req, res, next) => {
    try {
      if (Array.isArray(req.query.returnTo))
        throw new AuthError('BAD_CALLBACK_REQUEST', 400, 'Bad request', 'returnTo must be given once.');
      const returnTo = safeReturnTo(req.query.returnTo);
      if (req.session.user) return redirectLocal(res, returnTo);
      const url = await beginAuthorization(req, deps, {
        purpose: 'signin',
        scope: SIGN_IN_SCOPE,
        returnTo,
        extraParams: { hd: hostedDomainHint(deps.policy) },
      });
      await saveSession(req);
      redirectToIssuer(res, url, deps.oidc.authorizationOrigin);
    } catch (err) {
      next(err);
    }
  });

  router.get('/auth/callback', async (req, res, next) => {
    const hadUser = Boolean(req.session.user);
    try {
      const currentUrl = new URL(req.originalUrl, deps.baseUrl);
      const done = await completeAuthorization(req, deps, currentUrl);
      const now = (deps.now ?? Date.now)();
      if (done.tx.purpose === 'signin') {
        const admission = admit(done.claims, deps.policy);
        if (!admission.admitted) {
          deps.audit('sign-in-refused', {
            sub: done.claims.sub,
            email: done.claims.email,
            hd: done.claims.hd,
            reason: admission.code,
          });
          throw new AuthError(
            'NOT_ADMITTED',
            403,
            'This account may not use Scopewise',
            `Scopewise is for the administrators of this organisation, and ${admission.reason}. Sign in with your administrator account, or ask an administrator to add you.`,
          );
        }
        const blocked = await deps.hooks?.refusal(done.claims.sub);
        if (blocked) {
          deps.audit('sign-in-refused', {
            sub: done.claims.sub,
            email: done.claims.email,
            reason: 'ACCOUNT_DISABLED',
            detail: blocked,
          });
          throw new AuthError(
            'NOT_ADMITTED',
            403,
            'This account may not sign in right now',
            'Google reported a security event on this account (it was disabled or may have been taken over), so Scopewise does not accept it for now. Ask an administrator to check the account.',
          );
        }
        const user = await fetchProfile(deps, done.tokens.access_token, done.claims);
        await regenerateSession(req); // a new session id: no fixation
        // The token record is keyed by the (new, secret) session id and sealed to it: a store can read both in
        // one go, and a record copied under another session opens nothing.
        await deps.vault.applyGrant(req.sessionID, user.sub, done.tokens, SIGN_IN_SCOPE.split(' '));
        establishIdentity(req, user, now); // sealed to the new session id, checked on every request
        await saveSession(req);
        await deps.hooks?.signedIn(req, user.sub);
        deps.audit('sign-in', { sub: user.sub, email: user.email, hd: user.hd, via: admission.via });
        return redirectLocal(res, done.tx.returnTo);
      }
      // Incremental consent for a signed-in user.
      const user = req.session.user;
      if (!user) {
        throw new AuthError(
          'NOT_SIGNED_IN',
          401,
          'Your session ended',
          'Your session ended while access was being granted. Please sign in again.',
        );
      }
      if (done.claims.sub !== user.sub || done.claims.iss !== user.iss) {
        deps.audit('consent-refused', { sub: user.sub, otherSub: done.claims.sub, reason: 'SUBJECT_MISMATCH' });
        throw new AuthError(
          'SUBJECT_MISMATCH',
          403,
          'Access was granted by another account',
          `You are signed in as ${user.email}, but access was granted by a different Google account. Nothing was stored. Grant access again and choose ${user.email}.`,
        );
      }
      const record = await deps.vault.applyGrant(req.sessionID, user.sub, done.tokens, done.tx.requestedScopes ?? []);
      await saveSession(req);
      const requested = normaliseScopeList(done.tx.requestedScopes ?? []);
      const declined = requested.filter((s) => !record.scopes.includes(s));
      deps.audit('consent-granted', {
        sub: user.sub,
        feature: done.tx.featureId,
        requested,
        granted: record.scopes,
        declined,
      });
      if (done.tx.featureId) deps.onConsent?.(done.tx.featureId, declined.length > 0 ? 'declined' : 'granted');
      return redirectLocal(res, done.tx.returnTo);
    } catch (err) {
      // The transaction is already used up; leave no session behind for a visitor who was not signed in.
      try {
        if (hadUser) await saveSession(req);
        else await destroySession(req, res, deps.cookie);
      } catch {
        /* the error below is what the user needs to see */
      }
      if (err instanceof AuthError && err.code !== 'NOT_ADMITTED' && err.code !== 'SUBJECT_MISMATCH') {
        deps.audit(hadUser ? 'consent-refused' : 'sign-in-refused', { reason: err.code, detail: err.detail });
      }
      next(err);
    }
  });

  router.post('/logout', deps.csrfProtection, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const sub = req.session.user?.sub;
      const sid = req.sessionID;
      await deps.vault.drop(sid); // the grant at the issuer stays: this is sign-out, not disconnect
      await destroySession(req, res, deps.cookie);
      if (sub) await deps.hooks?.signedOut(sid, sub);
      if (sub) deps.audit('sign-out', { sub });
      redirectLocal(res, '/');
    } catch (err) {
      next(err);
    }
  });

  return router;
}
