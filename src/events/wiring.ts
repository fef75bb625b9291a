// Account events wired to Scopewise's sessions: what a security event token from Google does to the sessions
// and tokens of its user, on every instance (sessions are found by user through the storage backend's subject
// index), and what sign-in and /account need from the same stores.
import { Router, type Request } from 'express';
import type { Config } from '../config/env.js';
import type { Audit, AuditEvent } from '../log/audit.js';
import type { Logger } from '../log/logger.js';
import type { AccountSessions, CredentialNotices } from '../features/account.js';
import type { SignInHooks } from '../auth/routes.js';
import type { Storage } from '../storage/index.js';
import type { TokenVault } from '../tokens/vault.js';
import { accountActionsFrom, type SessionOperations } from './execute.js';
import { createRiscReceiver } from './receiver.js';
import { createRiscRouter } from './router.js';
import { TransmitterKeys } from './transmitter-keys.js';

export interface AccountEvents {
  /** POST <RISC_PATH> when the receiver is on: mounted before sessions (no cookie, no CSRF token). */
  routers: Router[];
  signIn: SignInHooks;
  accountSessions: AccountSessions;
  credentialNotices: CredentialNotices;
  sessionOperations: SessionOperations;
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
}

/** Why a record's tokens were dropped by an account event (shown as "Google access was removed"). */
export const RISC_DROPPED = 'risc-tokens-revoked';

export function accountEvents(deps: AccountEventsDeps): AccountEvents {
  const { storage, vault, now } = deps;
  const { subjects, blocks, credentialChanges, jti } = storage.accounts;

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

  const sessionOperations: SessionOperations = {
    async endSessions(sub) {
      let n = 0;
      for (const entry of await subjects.list(sub)) {
        // Destroying through the store leaves a tombstone and deletes the token record with the session.
        await destroy(entry.sessionId);
        await subjects.remove(sub, entry.sessionId);
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
      accounts: accountActionsFrom({ sessions: sessionOperations, blocks, credentialChanges }),
      audit: (event, fields) => deps.audit(event as AuditEvent, fields),
      policy: { tokensRevoked: risc.tokensRevoked },
      maxAgeMs: risc.maxAgeSeconds * 1000,
      clockSkewMs: risc.clockSkewSeconds * 1000,
      now,
      log: (level, fields, message) => deps.logger[level](fields, message),
    });
    const limiterStore = storage.rateLimitStore('risc');
    const router = createRiscRouter({
      receiver,
      rateLimitPerMinute: risc.rateLimitPerMinute,
      ...(limiterStore ? { rateLimitStore: limiterStore } : {}),
    });
    const mounted = Router();
    mounted.use(risc.path, router);
    routers.push(mounted);
  }

  const signIn: SignInHooks = {
    async refusal(sub) {
      const decision = await blocks.isBlocked(sub);
      return decision?.blocked ? decision.reason : undefined;
    },
    async signedIn(req: Request, sub: string) {
      const t = now();
      await subjects.add(
        sub,
        req.sessionID,
        {
          createdAt: t,
          lastSeenAt: t,
          ...(req.get('user-agent') ? { userAgent: req.get('user-agent')! } : {}),
          ...(req.ip ? { ip: req.ip } : {}),
        },
        deps.absoluteMs,
      );
      // An account-disabled event that arrived while this sign-in ran: it found no session to end, so end this one.
      if ((await blocks.isBlocked(sub))?.blocked) await sessionOperations.endSessions(sub);
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

  return { routers, signIn, accountSessions, credentialNotices, sessionOperations, close: async () => undefined };
}
