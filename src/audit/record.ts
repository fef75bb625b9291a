/**
 * One audit event as it is exported: an id (also the Cloud Logging insertId and the webhook Idempotency-Key, so
 * a retried delivery is not a duplicate), a time, the event name, a severity and the caller's fields after
 * sanitising. Pure.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../log/audit.js';

export type { AuditEvent };

export type AuditSeverity = 'NOTICE' | 'WARNING';

export interface AuditRecord {
  readonly id: string;
  /** RFC 3339, e.g. 2026-12-01T20:00:00.000Z */
  readonly time: string;
  readonly event: AuditEvent;
  readonly severity: AuditSeverity;
  readonly fields: Readonly<Record<string, unknown>>;
}

const WARNING_EVENTS: ReadonlySet<AuditEvent> = new Set<AuditEvent>([
  'sign-in-refused',
  'token-refresh-failed',
  'grant-lost',
]);

export function severityOf(event: AuditEvent): AuditSeverity {
  return WARNING_EVENTS.has(event) ? 'WARNING' : 'NOTICE';
}

/**
 * Keys whose values never leave the process, whatever the caller put in: tokens, codes, secrets, session ids
 * (a session's tokenRef is its session id). Matched case-insensitively on the key name at any depth.
 */
const SECRET_KEY =
  /(token|secret|password|passwd|cookie|authorization|verifier|^code$|^state$|^nonce$|session.?id|^sid$|^key$|private.?key)/i;
export const REDACTED = '[redacted]';

const MAX_DEPTH = 4;
const MAX_ARRAY = 50;
const MAX_STRING = 1000;
const MAX_KEYS = 50;

/** A JSON-safe copy of `value` with secret-named keys redacted and sizes bounded (an entry stays small). */
export function sanitizeValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error)
    return { name: value.name, ...('code' in value && typeof value.code === 'string' ? { code: value.code } : {}) };
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.slice(0, MAX_ARRAY).map((v) => sanitizeValue(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (n++ >= MAX_KEYS) break;
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out[k] = SECRET_KEY.test(k) ? REDACTED : sanitizeValue(v, depth + 1);
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
    fields: Object.freeze(sanitizeFields(fields)),
  });
}
