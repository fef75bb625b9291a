// Account events wired to Scopewise's sessions: what a security event token from Google does to the sessions
// and tokens of its user, on every instance (sessions are found by user through the storage backend's subject
// index), and what sign-in and /account need from the same stores.
import type { Router, Request } from 'express';
import type { Config } from '../config/env.js';
import type { Audit } from '../log/audit.js';
import type { Logger } from '../log/logger.js';
import type { AccountSessions, CredentialNotices } from '../features/account.js';
import type { SignInHooks } from '../auth/routes.js';
import type { Storage } from '../storage/index.js';
import type { TokenVault } from '../tokens/vault.js';
import { SessionUnavailableError } from '../sessions/errors.js';
import type { SessionStanding } from '../sessions/middleware.js';
import { accountActionsFrom, type SessionOperations } from './execute.js';
import { createRiscReceiver } from './receiver.js';
import { standingVerdict } from './standing.js';
import { createRiscRouter } from './router.js';
import { TransmitterKeys } from './transmitter-keys.js';

export interface AccountEvents {
  /** POST <RISC_PATH> when the receiver is on: mounted before sessions (no cookie, no CSRF token). */
  routers: Router[];
  signIn: SignInHooks;
  accountSessions: AccountSessions;
  credentialNotices: CredentialNotices;
  sessionOperations: SessionOperations;
  /** Checked by the session middleware on every request: what account events decided about this session. */
  sessionStanding: SessionStanding;
  close(): Promise<void>;
}

export interface AccountEventsDeps {
  config: Config;
  logger: Logger;
  storage: Storage;
  vault: TokenVault;
  audit: Audit;
  /** The absolute session lifetime: how long a session stays in the user's index at most. */
  absoluteMs: number;
  now(): number;
  /** How long a reaction may take before a redelivery takes its claim over (tests shorten it). */
  claimLeaseMs?: number;
}

/** Why a record's tokens were dropped by an account event (shown as "Google access was removed"). */
export const RISC_DROPPED = 'risc-tokens-revoked';

export function accountEvents(deps: AccountEventsDeps): AccountEvents {
  const { storage, vault, now, logger } = deps;
  const { subjects, blocks, credentialChanges, jti, cutoffs } = storage.accounts;

  const destroy = (sid: string) =>
    new Promise<void>((resolve, reject) => storage.sessions.destroy(sid, (err) => (err ? reject(err) : resolve())));
  const sessionExists = (sid: string) =>
    new Promise<boolean>((resolve, reject) =>
      storage.sessions.get(sid, (err, s) => (err ? reject(err) : resolve(Boolean(s?.user)))),
    );

  /** The user's sessions that still exist (entries of sessions that expired or ended are pruned). */
  const liveSessions = async (sub: string) => {
    const out = [];
    for (const entry of await subjects.list(sub)) {
      if (await sessionExists(entry.sessionId)) out.push(entry);
      else await subjects.remove(sub, entry.sessionId);
    }
    return out;
  };

  /** Ends one session: destroying through the store leaves a tombstone and deletes its token record with it. */
  const endOne = async (sub: string, sid: string) => {
    await destroy(sid);
    await subjects.remove(sub, sid);
  };

  const sessionOperations: SessionOperations = {
    async endSessions(sub, before) {
      // First the one atomic write every request checks: from here on the decision holds, whatever happens to
      // the sweep below (the process dies, the store fails, the index lost a session). A session signed in before
      // `before` cannot outlive the absolute lifetime, and neither needs the entry.
      await cutoffs.endBefore(sub, before, before + deps.absoluteMs + 1);
      let n = 0;
      for (const entry of await subjects.list(sub)) {
        if (entry.createdAt > before) continue; // signed in after the event: Google's decision predates it
        await endOne(sub, entry.sessionId);
        n++;
      }
      return n;
    },
    async dropRefreshTokens(sub) {
      let n = 0;
      for (const entry of await subjects.list(sub)) if (await vault.dropTokens(entry.sessionId, RISC_DROPPED)) n++;
      return n;
    },
    async dropMatchingRefreshToken(matcher, sub) {
      // The event names the token only: look among the user's sessions when known, else among all records.
      const refs: AsyncIterable<string> | string[] = sub
        ? (await subjects.list(sub)).map((e) => e.sessionId)
        : vault.refs();
      let n = 0;
      for await (const ref of refs) {
        if (
          await vault.dropTokens(
            ref,
            RISC_DROPPED,
            (set) => set.refreshToken !== undefined && matcher.matches(set.refreshToken),
          )
        )
          n++;
      }
      return n;
    },
  };

  const routers: Router[] = [];
  const { risc } = deps.config;
  if (risc.enabled) {
    const keys = new TransmitterKeys({ configurationUrl: risc.configurationUrl, now });
    const receiver = createRiscReceiver({
      keys,
      clientIds: risc.clientIds,
      subjectIssuers: risc.subjectIssuers,
      jti,
      ...(deps.claimLeaseMs !== undefined ? { claimLeaseMs: deps.claimLeaseMs } : {}),
      accounts: accountActionsFrom({ sessions: sessionOperations, blocks, credentialChanges }),
      audit: deps.audit,
      policy: { tokensRevoked: risc.tokensRevoked },
      maxAgeMs: risc.maxAgeSeconds * 1000,
      clockSkewMs: risc.clockSkewSeconds * 1000,
      now,
      log: (level, fields, message) => deps.logger[level](fields, message),
    });
    const limiterStore = storage.rateLimitStore('risc');
    routers.push(
      createRiscRouter({
        receiver,
        path: risc.path,
        rateLimitPerMinute: risc.rateLimitPerMinute,
        ...(limiterStore ? { rateLimitStore: limiterStore } : {}),
      }),
    );
  }

  /** What account events decided about a session of `sub` signed in at `signedInAt` (two reads, one round trip). */
  const verdictFor = async (sub: string, signedInAt: number | undefined) => {
    const [block, cutoff] = await Promise.all([blocks.isBlocked(sub), cutoffs.cutoff(sub)]);
    return standingVerdict({ blocked: Boolean(block?.blocked), cutoff }, signedInAt);
  };

  const sessionStanding: SessionStanding = {
    async check(user, signedInAt) {
      try {
        return await verdictFor(user.sub, signedInAt);
      } catch (err) {
        // Fail closed: without the account's standing the request cannot go on (503, nothing lost).
        logger.warn({ err: { message: (err as Error).message } }, 'account standing could not be read');
        throw new SessionUnavailableError();
      }
    },
  };

  const signIn: SignInHooks = {
    async refusal(sub) {
      const decision = await blocks.isBlocked(sub);
      return decision?.blocked ? decision.reason : undefined;
    },
    async signedIn(req: Request, sub: string) {
      const t = now();
      const signedInAt = req.session?.signedInAt ?? t;
      await subjects.add(
        sub,
        req.sessionID,
        {
          createdAt: signedInAt,
          lastSeenAt: t,
          ...(req.get('user-agent') ? { userAgent: req.get('user-agent')! } : {}),
          ...(req.ip ? { ip: req.ip } : {}),
        },
        deps.absoluteMs,
      );
      // An account event recorded while this sign-in ran found no session to end: end this one now, so that no
      // session (nor its refresh token) of a disabled account stays in the store, used or not.
      const reason = await verdictFor(sub, signedInAt);
      if (reason) {
        await endOne(sub, req.sessionID);
        deps.audit('session-ended', { sub, reason });
      }
    },
    async signedOut(sid, sub) {
      await subjects.remove(sub, sid);
    },
  };

  const accountSessions: AccountSessions = {
    async list(sub) {
      return (await liveSessions(sub)).map((e) => ({
        sid: e.sessionId,
        createdAt: e.createdAt,
        lastSeenAt: e.lastSeenAt,
        userAgent: e.userAgent,
        ip: e.ip,
      }));
    },
    async endOthers(sub, keepSid) {
      let n = 0;
      for (const entry of await subjects.list(sub)) {
        if (entry.sessionId === keepSid) continue;
        await destroy(entry.sessionId);
        await subjects.remove(sub, entry.sessionId);
        n++;
      }
      return n;
    },
    async holdsGrant(sid) {
      const rec = await storage.tokens.get(sid);
      return Boolean(rec?.sealed);
    },
  };

  const credentialNotices: CredentialNotices = {
    async get(sub) {
      const flag = await credentialChanges.get(sub);
      return flag ? { since: flag.at } : undefined;
    },
    async clear(sub, seenAt) {
      await credentialChanges.clear(sub, seenAt);
    },
  };

  return {
    routers,
    signIn,
    accountSessions,
    credentialNotices,
    sessionOperations,
    sessionStanding,
    close: async () => undefined,
  };
}
