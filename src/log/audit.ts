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
  | 'session-ended';

export function audit(logger: Logger, event: AuditEvent, fields: Record<string, unknown>): void {
  logger.info({ audit: true, event, ...fields }, `audit: ${event}`);
}
