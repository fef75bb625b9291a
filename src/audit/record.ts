/**
 * One audit event as it is exported: an id (also the Cloud Logging insertId and the webhook Idempotency-Key, so
 * a retried delivery is not a duplicate), a time, the event name, a severity and the caller's fields after
 * sanitising. Pure.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../log/audit.js';
import { isSecretField } from '../log/redact.js';

export type { AuditEvent };

export type AuditSeverity = 'NOTICE' | 'WARNING';

/**
 * `security`: what a signed-in user, Google or an operator did (kept first, with reserved room in the export
 * queue); `low`: what anyone on the network can cause without an account of ours (dropped first).
 */
export type AuditPriority = 'security' | 'low';

export interface AuditRecord {
  readonly id: string;
  /** RFC 3339, e.g. 2026-12-01T20:00:00.000Z */
  readonly time: string;
  readonly event: AuditEvent;
  readonly severity: AuditSeverity;
  readonly priority: AuditPriority;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface AuditClass {
  priority: AuditPriority;
  /**
   * Set for refusals anyone can cause as often as they like (unauthenticated requests): the export counts them
   * per minute under this key (their code) instead of keeping one record each.
   */
  tally?: string;
}

/** The priority of an audit event, and whether it is counted per minute instead of exported one by one. Pure. */
export function auditClass(event: AuditEvent, fields: Readonly<Record<string, unknown>>): AuditClass {
  switch (event) {
    case 'risc-set-refused':
      // An unauthenticated POST to the receiver with anything that is not a valid token from Google.
      return { priority: 'low', tally: String(fields['code'] ?? 'unknown') };
    case 'risc-set-duplicate':
      // A valid token delivered again: Google's redelivery, or anyone replaying one they have seen.
      return { priority: 'low' };
    case 'sign-in-refused':
      // Without a verified account (`sub`) it is a broken or forged callback request: anyone's, any number of
      // times. A refused real account is kept one by one; one that Google reported (disabled, hijacked) is a
      // security event of its own.
      if (fields['sub'] === undefined) return { priority: 'low', tally: String(fields['reason'] ?? 'unknown') };
      return { priority: fields['reason'] === 'ACCOUNT_DISABLED' ? 'security' : 'low' };
    default:
      return { priority: 'security' };
  }
}

const WARNING_EVENTS: ReadonlySet<AuditEvent> = new Set<AuditEvent>([
  'sign-in-refused',
  'token-refresh-failed',
  'grant-lost',
]);

export function severityOf(event: AuditEvent): AuditSeverity {
  return WARNING_EVENTS.has(event) ? 'WARNING' : 'NOTICE';
}

export const REDACTED = '[redacted]';

const MAX_DEPTH = 4;
const MAX_ARRAY = 50;
const MAX_STRING = 1000;
const MAX_KEYS = 50;

/**
 * A JSON-safe copy of `value` with secrets redacted (log/redact.ts: by field name, and OAuth parameters inside
 * a request's parameters; a number or a boolean is never a secret, e.g. a count of tokens) and sizes bounded
 * (an entry stays small).
 */
export function sanitizeValue(value: unknown, depth = 0, parentKey?: string): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error)
    return { name: value.name, ...('code' in value && typeof value.code === 'string' ? { code: value.code } : {}) };
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.slice(0, MAX_ARRAY).map((v) => sanitizeValue(v, depth + 1, parentKey));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (n++ >= MAX_KEYS) break;
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      const hidden = isSecretField(k, parentKey) && typeof v !== 'number' && typeof v !== 'boolean';
      out[k] = hidden ? REDACTED : sanitizeValue(v, depth + 1, k);
    }
    return out;
  }
  return undefined;
}

export function sanitizeFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return sanitizeValue(fields) as Record<string, unknown>;
}

export function createAuditRecord(
  event: AuditEvent,
  fields: Readonly<Record<string, unknown>>,
  now: number = Date.now(),
  id: string = randomUUID(),
): AuditRecord {
  return Object.freeze({
    id,
    time: new Date(now).toISOString(),
    event,
    severity: severityOf(event),
    priority: auditClass(event, fields).priority,
    fields: Object.freeze(sanitizeFields(fields)),
  });
}
