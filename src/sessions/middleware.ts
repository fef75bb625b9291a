// express-session with a signed, HttpOnly, SameSite=Lax cookie (Secure and `__Host-` on https). Whether a
// signed-in session may go on is decided here, on the server, on every request: its idle (no request for
// `idleMs`) and absolute (since sign-in) lifetimes, and what account events decided about its account (a sign-in
// block, or "sessions signed in before T are over": `standing`). A session that may not go on is destroyed (its
// tokens with it) and the request carries on as a signed-out visitor.
// The cookie itself is a browser-session cookie that is set once, not re-signed on every response: the
// last-seen time moves on the server (written at most once a minute), and the store's TTL follows it.
import crypto from 'node:crypto';
import session from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { SessionUser } from './types.js';

export interface SessionCookieSettings {
  name: string;
  secure: boolean;
}

export function cookieSettings(secure: boolean): SessionCookieSettings {
  return { name: secure ? '__Host-scopewise' : 'scopewise', secure };
}

/** What account events decided about a signed-in session (src/events/wiring.ts provides it). */
export interface SessionStanding {
  /** Why this session must end now (e.g. `SESSIONS_REVOKED`), or undefined. Rejects when it cannot tell (503). */
  check(user: SessionUser, signedInAt: number | undefined, sid: string): Promise<string | undefined>;
  /** Told once such a session has ended (audit, indexes). */
  ended?(sid: string, user: SessionUser, reason: string): void;
}

export interface SessionMiddlewareOptions {
  store: session.Store;
  secrets: string[];
  cookie: SessionCookieSettings;
  idleMs: number;
  absoluteMs: number;
  standing?: SessionStanding;
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
  /** Destroys the session (tokens and all) and leaves a fresh, empty one: handlers see a signed-out visitor. */
  const endSession = (req: Request): Promise<void> =>
    new Promise((resolve, reject) =>
      req.session.destroy((err) => {
        if (err) return reject(err);
        req.sessionStore.generate(req);
        resolve();
      }),
    );

  const validity: RequestHandler = async (req, _res, next) => {
    const s = req.session;
    if (!s) return next();
    const t = now();
    const lastSeen = s.lastSeenAt ?? s.signedInAt;
    const expired =
      s.signedInAt !== undefined &&
      (t - s.signedInAt > opts.absoluteMs || (lastSeen !== undefined && t - lastSeen > opts.idleMs));
    try {
      if (expired) {
        // Past its idle or absolute lifetime: the session ends.
        await endSession(req);
        return next();
      }
      const user = s.user;
      if (user && opts.standing) {
        const reason = await opts.standing.check(user, s.signedInAt, req.sessionID);
        if (reason) {
          const sid = req.sessionID;
          await endSession(req);
          opts.standing.ended?.(sid, user, reason);
          return next();
        }
      }
    } catch (err) {
      return next(err);
    }
    if (s.signedInAt !== undefined && (lastSeen === undefined || t - lastSeen >= LAST_SEEN_RESOLUTION_MS)) {
      s.lastSeenAt = t; // saved at the end of this request; refreshes the store's TTL too
    }
    next();
  };
  return [base, validity];
}
