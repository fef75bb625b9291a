// express-session with a signed, HttpOnly, SameSite=Lax cookie (Secure and `__Host-` on https). Both
// lifetimes are enforced here, on the server: idle (no request for `idleMs`) and absolute (since sign-in).
// The cookie itself is a browser-session cookie that is set once, not re-signed on every response: the
// last-seen time moves on the server (written at most once a minute), and the store's TTL follows it.
import crypto from 'node:crypto';
import session from 'express-session';
import type { RequestHandler } from 'express';

export interface SessionCookieSettings {
  name: string;
  secure: boolean;
}

export function cookieSettings(secure: boolean): SessionCookieSettings {
  return { name: secure ? '__Host-scopewise' : 'scopewise', secure };
}

export interface SessionMiddlewareOptions {
  store: session.Store;
  secrets: string[];
  cookie: SessionCookieSettings;
  idleMs: number;
  absoluteMs: number;
  now?: () => number;
}

/** How often an active session's last-seen time is written (and so how late an idle session may end). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export function sessionMiddleware(opts: SessionMiddlewareOptions): RequestHandler[] {
  const now = opts.now ?? Date.now;
  const base = session({
    name: opts.cookie.name,
    secret: opts.secrets,
    store: opts.store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    genid: () => crypto.randomBytes(32).toString('base64url'),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: opts.cookie.secure,
      path: '/',
    },
  });
  const lifetimes: RequestHandler = (req, _res, next) => {
    const s = req.session;
    const t = now();
    const lastSeen = s?.lastSeenAt ?? s?.signedInAt;
    const expired =
      s?.signedInAt !== undefined &&
      (t - s.signedInAt > opts.absoluteMs || (lastSeen !== undefined && t - lastSeen > opts.idleMs));
    if (
      s &&
      !expired &&
      s.signedInAt !== undefined &&
      (lastSeen === undefined || t - lastSeen >= LAST_SEEN_RESOLUTION_MS)
    ) {
      s.lastSeenAt = t; // saved at the end of this request; refreshes the store's TTL too
    }
    if (s && expired) {
      // Past its idle or absolute lifetime: the session ends.
      s.destroy((err) => {
        if (err) return next(err);
        // A fresh, empty session object, so that handlers see a signed-out visitor.
        req.sessionStore.generate(req);
        next();
      });
      return;
    }
    next();
  };
  return [base, lifetimes];
}
