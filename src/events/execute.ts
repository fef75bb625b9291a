// Runs planned actions against the account operations the app provides, one audit event per action. Every
// action is idempotent (ending ended sessions, dropping dropped tokens, blocking a blocked user), so a failed
// run can be delivered again as a whole: the executor tries every action, and reports whether all succeeded.
import { refreshTokenMatcher, type RefreshTokenMatcher } from './token-match.js';
import type { CredentialChangeFlags, SignInBlockList } from '../storage/account-events/account-state.js';
import type { AuditEvent } from '../log/audit.js';
import type { Action } from './types.js';

/** The session and token operations only the app can do (the lead implements these three). */
export interface SessionOperations {
  /**
   * Ends every session of `sub` signed in at or before `before` (the event's time), on every instance, and
   * deletes their token records; sessions opened after the event stay. First of all it records the decision in
   * one atomic write that every request checks, so that it holds even if the rest is cut short. Returns how many
   * sessions it ended.
   */
  endSessions(sub: string, before: number): Promise<number>;
  /** Deletes the refresh tokens of every session of `sub`; sessions stay, features ask for consent again. */
  dropRefreshTokens(sub: string): Promise<number>;
  /**
   * Deletes the one stored refresh token the matcher accepts. Google's `token-revoked` names the token only,
   * so `sub` is usually absent: look at every token record (or the sessions of `sub` when given).
   */
  dropMatchingRefreshToken(matcher: RefreshTokenMatcher, sub?: string): Promise<number>;
}

/** Everything the executor needs; `accountActionsFrom` builds it from SessionOperations and the stores. */
export interface AccountActions extends SessionOperations {
  /** Returns false when a later decision about this `sub` is already recorded (then nothing changes). */
  blockSignIn(sub: string, block: { reason: string; at: number; jti: string }): Promise<boolean>;
  unblockSignIn(sub: string, at: number): Promise<boolean>;
  flagCredentialChange(sub: string, at: number): Promise<void>;
}

export function accountActionsFrom(deps: {
  sessions: SessionOperations;
  blocks: SignInBlockList;
  credentialChanges: CredentialChangeFlags;
}): AccountActions {
  const { sessions, blocks, credentialChanges } = deps;
  return {
    endSessions: (sub, before) => sessions.endSessions(sub, before),
    dropRefreshTokens: (sub) => sessions.dropRefreshTokens(sub),
    dropMatchingRefreshToken: (matcher, sub) => sessions.dropMatchingRefreshToken(matcher, sub),
    blockSignIn: (sub, b) =>
      blocks.block({ sub, blocked: true, reason: b.reason, source: 'risc', at: b.at, jti: b.jti }),
    unblockSignIn: (sub, at) => blocks.unblock(sub, at, 'risc'),
    flagCredentialChange: (sub, at) => credentialChanges.flag(sub, at),
  };
}

/** The audit events of account events (named in src/log/audit.ts with the others). */
export type RiscAuditEvent = Extract<AuditEvent, `risc-${string}`>;

export const RISC_AUDIT_EVENTS: readonly RiscAuditEvent[] = [
  'risc-sessions-ended',
  'risc-refresh-tokens-dropped',
  'risc-refresh-token-dropped',
  'risc-sign-in-blocked',
  'risc-sign-in-unblocked',
  'risc-credential-change-flagged',
  'risc-verification',
  'risc-event-ignored',
  'risc-reaction-failed',
  'risc-set-refused',
  'risc-set-duplicate',
];

export type RiscAudit = (event: RiscAuditEvent, fields: Record<string, unknown>) => void;

/**
 * The last moment of the second an event's iat names (iat has a precision of one second): the event happened at
 * some time within it, so every session signed in up to its end is treated as signed in before the event (fail
 * closed; a sign-in in the same second as the event only has to be done again).
 */
export function endOfIatSecond(at: number): number {
  return Math.floor(at / 1000) * 1000 + 999;
}

export interface ReactionContext {
  jti: string;
  /** The event's time (SET iat, ms): orders block/unblock decisions. */
  at: number;
  /** Short event name, for the audit. */
  event: string;
}

export interface ActionOutcome {
  action: Action['kind'];
  ok: boolean;
  error?: string;
}

async function runOne(action: Action, ctx: ReactionContext, accounts: AccountActions, audit: RiscAudit): Promise<void> {
  const base = { jti: ctx.jti, riscEvent: ctx.event };
  switch (action.kind) {
    case 'end-sessions': {
      const before = endOfIatSecond(ctx.at);
      const sessions = await accounts.endSessions(action.sub, before);
      audit('risc-sessions-ended', {
        ...base,
        sub: action.sub,
        sessions,
        signedInBefore: new Date(before).toISOString(),
      });
      return;
    }
    case 'drop-refresh-tokens': {
      const tokens = await accounts.dropRefreshTokens(action.sub);
      audit('risc-refresh-tokens-dropped', { ...base, sub: action.sub, tokens });
      return;
    }
    case 'drop-token': {
      // The identifier is part of a secret: only its kind is logged.
      const tokens = await accounts.dropMatchingRefreshToken(refreshTokenMatcher(action.token), action.sub);
      audit('risc-refresh-token-dropped', {
        ...base,
        ...(action.sub ? { sub: action.sub } : {}),
        alg: action.token.alg,
        tokens,
      });
      return;
    }
    case 'block-sign-in': {
      const applied = await accounts.blockSignIn(action.sub, { reason: action.reason, at: ctx.at, jti: ctx.jti });
      audit('risc-sign-in-blocked', { ...base, sub: action.sub, reason: action.reason, applied });
      return;
    }
    case 'unblock-sign-in': {
      const applied = await accounts.unblockSignIn(action.sub, ctx.at);
      audit('risc-sign-in-unblocked', { ...base, sub: action.sub, applied });
      return;
    }
    case 'flag-credential-change':
      await accounts.flagCredentialChange(action.sub, ctx.at);
      audit('risc-credential-change-flagged', { ...base, sub: action.sub });
      return;
    case 'log-verification':
      audit('risc-verification', { ...base, state: action.state ?? null });
      return;
    case 'ignore':
      audit('risc-event-ignored', {
        ...base,
        why: action.why,
        uri: action.uri,
        ...(action.sub ? { sub: action.sub } : {}),
      });
      return;
  }
}

export async function executeReaction(
  actions: readonly Action[],
  ctx: ReactionContext,
  deps: { accounts: AccountActions; audit: RiscAudit },
): Promise<{ ok: boolean; outcomes: ActionOutcome[] }> {
  const outcomes: ActionOutcome[] = [];
  for (const action of actions) {
    try {
      await runOne(action, ctx, deps.accounts, deps.audit);
      outcomes.push({ action: action.kind, ok: true });
    } catch (err) {
      const error = (err as Error).message;
      deps.audit('risc-reaction-failed', {
        jti: ctx.jti,
        riscEvent: ctx.event,
        action: action.kind,
        ...('sub' in action && action.sub ? { sub: action.sub } : {}),
        error,
      });
      outcomes.push({ action: action.kind, ok: false, error });
    }
  }
  return { ok: outcomes.every((o) => o.ok), outcomes };
}
