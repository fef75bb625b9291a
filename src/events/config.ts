// The receiver's settings from the environment. Pure: the lead's config/env.ts calls it and reports the
// problems with the others. Every problem names the variable and what is expected.

import { httpsOrLoopbackUrl, intSetting, type Env } from '../config/parse.js';

export type TokensRevokedReaction = 'drop-tokens' | 'end-sessions';

export interface RiscConfig {
  /** RISC_RECEIVER=off turns the receiver off (no route). */
  enabled: boolean;
  /** Where POST receives security event tokens (RISC_PATH, default /risc). */
  path: string;
  /** The `aud` values accepted: this app's OAuth client IDs (RISC_CLIENT_IDS, default OIDC_CLIENT_ID). */
  clientIds: string[];
  /** Google's RISC configuration document (issuer, jwks_uri). */
  configurationUrl: string;
  /** Issuers whose `sub` values are this app's users: the OIDC issuer the sessions were signed in with. */
  subjectIssuers: string[];
  /** A token issued longer ago than this is refused (RISC_MAX_AGE_SECONDS, default 7 days). */
  maxAgeSeconds: number;
  /** A token dated this far in the future is still accepted (RISC_CLOCK_SKEW_SECONDS, default 300). */
  clockSkewSeconds: number;
  /** POSTs per minute per client address (RISC_RATE_LIMIT_PER_MINUTE, default 300). */
  rateLimitPerMinute: number;
  /** What `tokens-revoked` does (RISC_TOKENS_REVOKED, default drop-tokens; see docs/account-events.md). */
  tokensRevoked: TokensRevokedReaction;
}

export interface ParseResult<T> {
  value: T;
  problems: string[];
}

export const RISC_DEFAULTS = {
  path: '/risc',
  maxAgeSeconds: 7 * 86_400,
  clockSkewSeconds: 300,
  rateLimitPerMinute: 300,
  googleIssuer: 'https://accounts.google.com',
} as const;

/** https, or plain http on loopback only (the mock Google); no credentials, query or fragment. */
export function checkFetchUrl(raw: string): string | undefined {
  const u = httpsOrLoopbackUrl(raw);
  if (typeof u === 'string') return `must be ${u}`;
  if (u.hash) return 'must not have a fragment';
  return undefined;
}

/** Where an issuer publishes its RISC configuration (Google: https://accounts.google.com/.well-known/risc-configuration). */
export function riscConfigurationUrlFor(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/risc-configuration`;
}

/**
 * `fallback` gives what the environment leaves out in the demo (the mock's client id and issuer); in production
 * OIDC_CLIENT_ID and OIDC_ISSUER are read from `env` like the rest of the app does.
 */
export function parseRiscConfig(
  env: Env,
  fallback: { clientId?: string; issuer?: string } = {},
): ParseResult<RiscConfig> {
  const problems: string[] = [];

  const switchRaw = (env['RISC_RECEIVER'] ?? 'on').trim().toLowerCase();
  if (!['on', 'off'].includes(switchRaw))
    problems.push(`RISC_RECEIVER must be on or off, got "${env['RISC_RECEIVER']}"`);
  const enabled = switchRaw !== 'off';

  const path = (env['RISC_PATH'] ?? '').trim() || RISC_DEFAULTS.path;
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path) || path.includes('//') || /(^|\/)\.\.?(\/|$)/.test(path) || path === '/') {
    problems.push(`RISC_PATH must be an absolute path such as /risc (letters, digits, - . _ ~ and /), got "${path}"`);
  }

  const issuer = (env['OIDC_ISSUER'] ?? '').trim() || fallback.issuer || RISC_DEFAULTS.googleIssuer;
  const idsRaw =
    (env['RISC_CLIENT_IDS'] ?? '').trim() || (env['OIDC_CLIENT_ID'] ?? '').trim() || fallback.clientId || '';
  const clientIds = [
    ...new Set(
      idsRaw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (enabled && clientIds.length === 0)
    problems.push(
      'RISC_CLIENT_IDS (or OIDC_CLIENT_ID) must name at least one OAuth client ID to accept as the aud of security event tokens',
    );

  const configurationUrl = (env['RISC_CONFIGURATION_URL'] ?? '').trim() || riscConfigurationUrlFor(issuer);
  const urlProblem = checkFetchUrl(configurationUrl);
  if (urlProblem) problems.push(`RISC_CONFIGURATION_URL ${urlProblem}, got "${configurationUrl}"`);

  const maxAgeSeconds = intSetting(env, 'RISC_MAX_AGE_SECONDS', RISC_DEFAULTS.maxAgeSeconds, 60, 90 * 86_400, problems);
  const clockSkewSeconds = intSetting(
    env,
    'RISC_CLOCK_SKEW_SECONDS',
    RISC_DEFAULTS.clockSkewSeconds,
    0,
    3600,
    problems,
  );
  const rateLimitPerMinute = intSetting(
    env,
    'RISC_RATE_LIMIT_PER_MINUTE',
    RISC_DEFAULTS.rateLimitPerMinute,
    1,
    100_000,
    problems,
  );

  const reactionRaw = (env['RISC_TOKENS_REVOKED'] ?? 'drop-tokens').trim();
  if (reactionRaw !== 'drop-tokens' && reactionRaw !== 'end-sessions')
    problems.push(`RISC_TOKENS_REVOKED must be drop-tokens or end-sessions, got "${reactionRaw}"`);
  const tokensRevoked: TokensRevokedReaction = reactionRaw === 'end-sessions' ? 'end-sessions' : 'drop-tokens';

  return {
    value: {
      enabled,
      path,
      clientIds,
      configurationUrl,
      subjectIssuers: [issuer],
      maxAgeSeconds,
      clockSkewSeconds,
      rateLimitPerMinute,
      tokensRevoked,
    },
    problems,
  };
}
