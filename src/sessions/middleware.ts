// express-session with a signed, HttpOnly, SameSite=Lax cookie (Secure and `__Host-` on https), idle
// lifetime through a rolling cookie whose expiry the store enforces, and an absolute lifetime enforced here.
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

export function sessionMiddleware(opts: SessionMiddlewareOptions): RequestHandler[] {
  const now = opts.now ?? Date.now;
  const base = session({
    name: opts.cookie.name,
    secret: opts.secrets,
    store: opts.store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    genid: () => crypto.randomBytes(32).toString('base64url'),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: opts.cookie.secure,
      path: '/',
      maxAge: opts.idleMs,
    },
  });
  const absolute: RequestHandler = (req, _res, next) => {
    const s = req.session;
    if (s?.signedInAt !== undefined && now() - s.signedInAt > opts.absoluteMs) {
      // Past its absolute lifetime: the session ends whatever its activity.
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
  return [base, absolute];
}
