/**
 * Audit sink: a webhook, typically a private Cloud Run service. Each record is POSTed alone as a CloudEvent in
 * structured mode (https://github.com/cloudevents/spec, JSON format) with `Authorization: Bearer <ID token>`,
 * the token minted by Scopewise's own identity for the webhook's audience, and `Idempotency-Key: <record id>` so
 * that a receiver can ignore a retried delivery. Redirects are never followed (the token would travel on).
 */
import type { IdTokenSource } from '../../identity/workload-identity.js';
import type { AuditSink, DeliveryOutcome } from '../queue.js';
import type { AuditRecord } from '../record.js';

export const CLOUDEVENT_TYPE_PREFIX = 'dev.scopewise.audit.';

/** The CloudEvent for one record (pure). */
export function toCloudEvent(record: AuditRecord, source: string): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: record.id,
    source,
    type: `${CLOUDEVENT_TYPE_PREFIX}${record.event}`,
    time: record.time,
    datacontenttype: 'application/json',
    data: { event: record.event, severity: record.severity, ...record.fields },
  };
}

/** 2xx delivered; 4xx other than auth/throttling/not-found refused; everything else retried. */
export function classifyWebhookStatus(status: number, retryAfter: string | null): DeliveryOutcome {
  if (status >= 200 && status <= 299) return { ok: true };
  const retryAfterMs = retryAfter && /^\d{1,5}$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
  const retry = status >= 500 || status < 400 || [401, 403, 404, 408, 425, 429].includes(status);
  return { ok: false, retry, code: `HTTP_${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

export interface WebhookSinkOptions {
  url: string;
  idTokens: IdTokenSource;
  /** CloudEvents `source`; default `/scopewise`. */
  source?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export function webhookSink(options: WebhookSinkOptions): AuditSink {
  const fetchImpl = options.fetchImpl ?? fetch;
  const source = options.source ?? '/scopewise';
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: 'webhook',
    maxBatch: 1,
    async deliver(batch: readonly AuditRecord[], signal: AbortSignal): Promise<DeliveryOutcome> {
      const record = batch[0];
      if (!record) return { ok: true };
      const body = JSON.stringify(toCloudEvent(record, source));
      // An ID token the receiver refuses may be stale (e.g. after a key rotation): one more try with a fresh one.
      for (let attempt = 0; ; attempt++) {
        let idToken: string;
        try {
          idToken = await options.idTokens.token();
        } catch (err) {
          return { ok: false, retry: true, code: (err as { code?: string }).code ?? 'ID_TOKEN_UNAVAILABLE' };
        }
        let response: Response;
        try {
          response = await fetchImpl(options.url, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${idToken}`,
              'content-type': 'application/cloudevents+json; charset=utf-8',
              'idempotency-key': record.id,
              'user-agent': 'scopewise-audit-export',
            },
            body,
            redirect: 'manual',
            signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          });
        } catch {
          return { ok: false, retry: true, code: signal.aborted ? 'ABORTED' : 'NETWORK' };
        }
        // The answer's body is not needed; release the connection.
        await response.body?.cancel().catch(() => undefined);
        const outcome = classifyWebhookStatus(response.status, response.headers.get('retry-after'));
        if (!outcome.ok && response.status === 401) {
          options.idTokens.invalidate();
          if (attempt === 0) continue;
        }
        return outcome;
      }
    },
  };
}
