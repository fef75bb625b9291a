// What Scopewise does about each account event: a pure plan of actions, run by the executor. Order matters:
// a sign-in block is written before sessions are ended, so that a sign-in completing at the same moment
// either sees the block or has its new session found and ended.
import type { TokensRevokedReaction } from './config.js';
import type { Action, RiscEvent } from './types.js';

export interface ReactionPolicy {
  /**
   * `tokens-revoked`: the issue asks to drop the refresh tokens and keep the sessions (features ask again);
   * Google's page marks ending the sessions as required when the revoked token was the sign-in's. Configurable.
   */
  tokensRevoked: TokensRevokedReaction;
}

export const DEFAULT_REACTION_POLICY: ReactionPolicy = { tokensRevoked: 'drop-tokens' };

export function planReaction(event: RiscEvent, policy: ReactionPolicy = DEFAULT_REACTION_POLICY): Action[] {
  switch (event.name) {
    case 'sessions-revoked':
      // Ending a session deletes its token record too (the record is keyed by the session).
      return [{ kind: 'end-sessions', sub: event.sub }];
    case 'tokens-revoked':
      return policy.tokensRevoked === 'end-sessions'
        ? [{ kind: 'end-sessions', sub: event.sub }]
        : [{ kind: 'drop-refresh-tokens', sub: event.sub }];
    case 'token-revoked':
      return [{ kind: 'drop-token', token: event.token, ...(event.sub !== undefined ? { sub: event.sub } : {}) }];
    case 'account-disabled':
      return [
        { kind: 'block-sign-in', sub: event.sub, reason: event.reason ?? 'unspecified' },
        { kind: 'end-sessions', sub: event.sub },
      ];
    case 'account-enabled':
      return [{ kind: 'unblock-sign-in', sub: event.sub }];
    case 'account-credential-change-required':
      return [{ kind: 'flag-credential-change', sub: event.sub }];
    case 'verification':
      return [{ kind: 'log-verification', ...(event.state !== undefined ? { state: event.state } : {}) }];
    case 'ignored':
      return [
        { kind: 'ignore', why: event.why, uri: event.uri, ...(event.sub !== undefined ? { sub: event.sub } : {}) },
      ];
  }
}
