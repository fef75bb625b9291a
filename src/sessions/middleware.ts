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
import { sealIdentity, sessionIdentityKeys, verifyIdentity, type SessionIdentityKeys } from './identity-seal.js';
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
}

/** Why the middleware ended a signed-in session it was handed (besides its lifetimes). */
export const SESSION_TAMPERED = 'SESSION_TAMPERED';

export interface SessionMiddlewareOptions {
  store: session.Store;
  secrets: string[];
  cookie: SessionCookieSettings;
  idleMs: number;
  absoluteMs: number;
  standing?: SessionStanding;
  /** Told once a signed-in session was ended for a reason other than its lifetimes (audit, indexes). */
  onEnded?(sid: string, user: SessionUser, reason: string): void;
  now?: () => number;
}

const IDENTITY_KEYS = Symbol('scopewise.sessionIdentityKeys');
type WithKeys = Request & { [IDENTITY_KEYS]?: SessionIdentityKeys };

/**
 * Makes this request's session the signed-in session of `user` since `signedInAt`, sealed to its session id
 * (call it after regenerating the session: a new id). The only way to sign a session in.
 */
export function establishIdentity(req: Request, user: SessionUser, signedInAt: number): void {
  const keys = (req as WithKeys)[IDENTITY_KEYS];
  if (!keys) throw new Error('establishIdentity needs the session middleware');
  req.session.user = user;
  req.session.signedInAt = signedInAt;
  req.session.identitySeal = sealIdentity(keys, req.sessionID, user, signedInAt);
}

/** How often an active session's last-seen time is written (and so how late an idle session may end). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export function sessionMiddleware(opts: SessionMiddlewareOptions): RequestHandler[] {
  const now = opts.now ?? Date.now;
  const identityKeys = sessionIdentityKeys(opts.secrets);
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
    (req as WithKeys)[IDENTITY_KEYS] = identityKeys;
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
      if (user) {
        const sid = req.sessionID;
        const seal = verifyIdentity(identityKeys, sid, user, s.signedInAt, s.identitySeal);
        // Not sealed to this session id: its identity was written into the store by someone else.
        const reason = seal === 'invalid' ? SESSION_TAMPERED : await opts.standing?.check(user, s.signedInAt, sid);
        if (reason) {
          await endSession(req);
          opts.onEnded?.(sid, user, reason);
          return next();
        }
        // Sealed under an older SESSION_SECRET: seal it again under the newest (saved with this request).
        if (seal === 'valid-older-key') s.identitySeal = sealIdentity(identityKeys, sid, user, s.signedInAt);
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
