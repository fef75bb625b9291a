// What a Scopewise session holds. The browser holds only the signed session id.
import 'express-session';

/** A login or consent transaction in flight: one-time, short-lived, keyed by its `state`. */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** `signin` for the identity-only login; `consent` for a feature's incremental consent. */
  purpose: 'signin' | 'consent';
  featureId?: string;
  /** Scopes asked in this transaction (consent only), to tell the user what was not granted. */
  requestedScopes?: string[];
  createdAt: number;
}

export interface SessionUser {
  sub: string;
  iss: string;
  email: string;
  emailVerified: boolean;
  name: string;
  hd?: string;
}

declare module 'express-session' {
  interface SessionData {
    /** Pending transactions by state (a user may start sign-in in two tabs). */
    logins?: Record<string, LoginTransaction>;
    user?: SessionUser;
    /**
     * The last feature consent this session started: once Google's answer is back (no transaction for it
     * pending), scopes of it the feature still lacks were declined (unticked) by the user.
     */
    lastConsent?: { featureId: string; scopes: string[]; at: number };
    /** The project last chosen on a feature page, offered first next time. */
    lastProject?: string;
    /** When the signed-in session began (ms since epoch): the absolute lifetime counts from here. */
    signedInAt?: number;
    /** Last request seen (ms since epoch, to the minute): the idle lifetime counts from here. */
    lastSeenAt?: number;
    /** MAC binding `user` and `signedInAt` to the session id (sessions/identity-seal.ts), checked on every request. */
    identitySeal?: string;
  }
}
