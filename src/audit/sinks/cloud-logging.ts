/**
 * Audit sink: Cloud Logging `entries.write` (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/write)
 * with an access token that holds only `logging.write`. Each record becomes one LogEntry whose insertId is the
 * record id: Cloud Logging drops an entry repeating the (logName, insertId, timestamp) of an earlier one, so a
 * batch retried after a lost answer is not written twice.
 */
import { z } from 'zod';
import { GoogleApiError } from '../../google/errors.js';
import { googleRequest } from '../../google/request.js';
import { apiRoot, methodUrl } from '../../google/urls.js';
import type { AccessTokenSource } from '../../identity/workload-identity.js';
import type { AuditSink, DeliveryOutcome } from '../queue.js';
import type { AuditRecord } from '../record.js';

export const LOGGING_BASE_URL = 'https://logging.googleapis.com/';
/** Cloud Logging takes up to 10 MB per request; audit entries are small. */
export const CLOUD_LOGGING_MAX_BATCH = 500;

export interface CloudLoggingTarget {
  projectId: string;
  /** The LOG_ID, e.g. `scopewise-audit` (URL-encoded in logName). */
  logId: string;
}

export function logNameOf(target: CloudLoggingTarget): string {
  return `projects/${target.projectId}/logs/${encodeURIComponent(target.logId)}`;
}

/** The LogEntry for one record (pure). */
export function toLogEntry(record: AuditRecord, target: CloudLoggingTarget): Record<string, unknown> {
  return {
    logName: logNameOf(target),
    resource: { type: 'global', labels: { project_id: target.projectId } },
    timestamp: record.time,
    severity: record.severity,
    insertId: record.id,
    labels: { app: 'scopewise', event: record.event },
    jsonPayload: { message: `audit: ${record.event}`, ...record.fields, event: record.event, auditId: record.id },
  };
}

/** Retry everything but a refusal of the entries themselves (400 INVALID_ARGUMENT, 413). */
export function classifyGoogleError(err: GoogleApiError): DeliveryOutcome {
  const refused = err.code === 'INVALID_ARGUMENT' || err.status === 413;
  return {
    ok: false,
    retry: !refused,
    code: err.code,
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
  };
}

export interface CloudLoggingSinkOptions {
  target: CloudLoggingTarget;
  tokens: AccessTokenSource;
  /** GOOGLE_API_BASE_URL (the mock in the demo and tests). */
  apiBaseUrl?: string | undefined;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

const EMPTY = z.object({}).loose();

export function cloudLoggingSink(options: CloudLoggingSinkOptions): AuditSink {
  const url = methodUrl(apiRoot(LOGGING_BASE_URL, options.apiBaseUrl), 'v2/entries:write');
  const { target, tokens } = options;
  return {
    name: 'cloud-logging',
    maxBatch: CLOUD_LOGGING_MAX_BATCH,
    async deliver(batch, signal): Promise<DeliveryOutcome> {
      const body = { entries: batch.map((r) => toLogEntry(r, target)) };
      // A token the server no longer accepts (revoked, or the server forgot it): one more try with a fresh one.
      for (let attempt = 0; ; attempt++) {
        let accessToken: string;
        try {
          accessToken = await tokens.token();
        } catch (err) {
          return { ok: false, retry: true, code: (err as { code?: string }).code ?? 'ACCESS_TOKEN_UNAVAILABLE' };
        }
        try {
          await googleRequest({
            method: 'POST',
            url,
            accessToken,
            body,
            schema: EMPTY,
            // The queue retries (with insertId making a repeat harmless); one attempt here.
            idempotent: false,
            signal,
            ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
            ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
          });
          return { ok: true };
        } catch (err) {
          if (!(err instanceof GoogleApiError)) throw err;
          if (err.code === 'UNAUTHENTICATED') {
            tokens.invalidate();
            if (attempt === 0) continue;
          }
          return classifyGoogleError(err);
        }
      }
    },
  };
}
