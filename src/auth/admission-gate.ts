// The allow-list is checked at every request of a signed-in session, not only at sign-in: when an operator
// narrows ALLOWED_DOMAINS / ALLOWED_EMAILS (and restarts), sessions signed in under the old list end at their
// next request, and their tokens with them. The check uses the claims kept from the verified ID token.
import type { RequestHandler } from 'express';
import type { Audit } from '../log/audit.js';
import type { SessionCookieSettings } from '../sessions/middleware.js';
import { destroySession } from '../sessions/session-ops.js';
import { admit, type AdmissionPolicy } from './admission.js';
import { AuthError } from './errors.js';

export function admissionGate(policy: AdmissionPolicy, audit: Audit, cookie: SessionCookieSettings): RequestHandler {
  return async (req, res, next) => {
    const user = req.session?.user;
    if (!user) return next();
    const result = admit({ hd: user.hd, email: user.email, email_verified: user.emailVerified }, policy);
    if (result.admitted) return next();
    try {
      await destroySession(req, res, cookie);
      audit('session-ended', { sub: user.sub, email: user.email, reason: 'NO_LONGER_ALLOWED', detail: result.code });
      next(
        new AuthError(
          'NOT_ADMITTED',
          403,
          'This account may no longer use Scopewise',
          `Scopewise's list of allowed administrators has changed, and ${result.reason}. You were signed out and Scopewise no longer holds any Google access for this session.`,
        ),
      );
    } catch (err) {
      next(err);
    }
  };
}
