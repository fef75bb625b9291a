/**
 * The audit trail with export: `record(event, fields)` writes the local audit line (as src/log/audit.ts does,
 * plus the record's `auditId`) and enqueues the record on every configured sink's queue, where security records
 * keep priority over what anyone can cause. Refusals anyone can cause (record.ts: `auditClass`) are exported as a
 * count per minute instead (tally.ts); the local audit log still has a line for each. Built once at start-up from the parsed config and
 * Scopewise's own identity; drained once at shutdown.
 */
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import type { Logger } from '../log/logger.js';
import { LOGGING_WRITE_SCOPE } from '../identity/own-needs.js';
import { webhookAudienceRelation, type AuditExportConfig } from './config.js';
import { AuditQueue, drainAll, type AuditQueueStats, type AuditSink, type Clock, type DrainReport } from './queue.js';
import { auditClass, createAuditRecord, type AuditEvent, type AuditRecord } from './record.js';
import { PerMinuteTally } from './tally.js';
import { cloudLoggingSink } from './sinks/cloud-logging.js';
import { webhookSink } from './sinks/webhook.js';

export interface AuditExport {
  /**
   * The audit trail's entry point: a record (`record`), or, for a refusal anyone can cause, one more in the
   * minute's count. Synchronous; never throws, never waits.
   */
  audit(event: AuditEvent, fields: Record<string, unknown>): void;
  /** Local audit line + enqueue on every sink, always one record. Synchronous; never throws, never waits. */
  record(event: AuditEvent, fields: Record<string, unknown>): AuditRecord;
  readonly queues: readonly AuditQueue[];
  stats(): AuditQueueStats[];
  /** Delivers what is buffered within the deadline (default: AUDIT_DRAIN_SECONDS), then closes the queues. */
  drain(timeoutMs?: number): Promise<DrainReport[]>;
}

export interface AuditExportDeps {
  logger: Logger;
  /** Required when a sink is configured (the config parser already refuses a sink without an identity). */
  identity?: WorkloadIdentity | undefined;
  /** GOOGLE_API_BASE_URL. */
  googleApiBaseUrl?: string | undefined;
  /** CloudEvents `source` of webhook events, e.g. the BASE_URL origin. */
  eventSource?: string;
  clock?: Clock;
  random?: () => number;
  fetchImpl?: typeof fetch;
  /** Sinks to use instead of the configured ones (tests). */
  sinks?: readonly AuditSink[];
}

export function buildSinks(config: AuditExportConfig, deps: AuditExportDeps): AuditSink[] {
  const sinks: AuditSink[] = [];
  if (!config.cloudLogging && !config.webhook) return sinks;
  const identity = deps.identity;
  if (!identity || identity.mode === 'off') throw new Error('audit export needs SCOPEWISE_IDENTITY (adc or metadata)');
  if (config.cloudLogging) {
    sinks.push(
      cloudLoggingSink({
        target: config.cloudLogging,
        tokens: identity.accessTokens([LOGGING_WRITE_SCOPE]),
        apiBaseUrl: deps.googleApiBaseUrl,
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      }),
    );
  }
  if (config.webhook) {
    sinks.push(
      webhookSink({
        url: config.webhook.url,
        idTokens: identity.idTokens(config.webhook.audience),
        ...(deps.eventSource ? { source: deps.eventSource } : {}),
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      }),
    );
  }
  return sinks;
}

export function createAuditExport(config: AuditExportConfig, deps: AuditExportDeps): AuditExport {
  const { logger } = deps;
  if (config.webhook) {
    // Which service's ID tokens go to which host, for the operator to check once (never the URL's query).
    const url = new URL(config.webhook.url);
    logger.info(
      {
        url: `${url.origin}${url.pathname}`,
        audience: config.webhook.audience,
        audienceIs: webhookAudienceRelation(config.webhook.url, config.webhook.audience),
      },
      `audit webhook: ID tokens for audience ${config.webhook.audience} are sent to ${url.origin}${url.pathname}`,
    );
  }
  const sinks = deps.sinks ?? buildSinks(config, deps);
  const queues = sinks.map(
    (sink) =>
      new AuditQueue({
        sink,
        capacity: config.queueCapacity,
        batchSize: config.batchSize,
        lingerMs: config.flushMs,
        logger,
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(deps.random ? { random: deps.random } : {}),
      }),
  );
  const now = deps.clock ? () => deps.clock!.now() : Date.now;
  const write = (event: AuditEvent, fields: Record<string, unknown>): AuditRecord => {
    const record = createAuditRecord(event, fields, now());
    // The local line keeps the caller's fields (the logger's redaction applies) and the id of the export.
    // The event name and id last: a field of the same name can never relabel an audit line.
    logger.info({ audit: true, ...fields, event, auditId: record.id }, `audit: ${event}`);
    for (const q of queues) q.enqueue(record);
    return record;
  };
  const tally = new PerMinuteTally(now, write);
  return {
    queues,
    audit(event, fields) {
      const counted = auditClass(event, fields).tally;
      if (counted === undefined) {
        write(event, fields);
        return;
      }
      // The local audit log keeps each one (it is not a bounded queue); the export gets the minute's count.
      logger.info({ audit: true, ...fields, event, exported: 'per-minute count' }, `audit: ${event}`);
      tally.count(event, counted);
    },
    record: write,
    stats: () => queues.map((q) => q.stats()),
    drain: (timeoutMs = config.drainSeconds * 1000) => {
      tally.flushAll();
      return drainAll(queues, timeoutMs);
    },
  };
}
