// Audit events: one JSON line each, on the same pino stream, marked `audit: true` so they can be
// filtered. Fields are chosen by the caller; redaction in logger.ts still applies.
import type { Logger } from './logger.js';

export type AuditEvent =
  | 'sign-in'
  | 'sign-in-refused'
  | 'sign-out'
  | 'consent-asked'
  | 'consent-granted'
  | 'consent-refused'
  | 'feature-action'
  | 'token-refresh-failed'
  | 'grant-lost'
  | 'disconnect'
  | 'reduce-access'
  | 'session-ended'
  | 'sign-out-others'
  | 'scopes-verified'
  // Google's account events (Cross-Account Protection), src/events.
  | 'risc-sessions-ended'
  | 'risc-refresh-tokens-dropped'
  | 'risc-refresh-token-dropped'
  | 'risc-sign-in-blocked'
  | 'risc-sign-in-unblocked'
  | 'risc-credential-change-flagged'
  | 'risc-verification'
  | 'risc-event-ignored'
  | 'risc-reaction-failed'
  | 'risc-set-refused'
  | 'risc-set-duplicate';

/** Records an audit event: the local line, and the export sinks when configured (src/audit/export.ts). */
export type Audit = (event: AuditEvent, fields: Record<string, unknown>) => void;

/** The local line only: one JSON line on the log stream, marked `audit: true`. */
export function logAudit(logger: Logger): Audit {
  return (event, fields) => logger.info({ audit: true, ...fields, event }, `audit: ${event}`);
}
