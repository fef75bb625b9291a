/**
 * Everything Scopewise does as itself, assembled for the composition root: its Google identity, the audit
 * export, the metrics registry, the mTLS credentials and the internal listener.
 *
 * Start-up (after the config is loaded, before the main listener listens):
 *   const parsed = parseWorkloadConfig(process.env)            // problems → ConfigError, like the rest
 *   const workload = await startWorkload(parsed.value, { logger, production, googleApiBaseUrl, appHealth })
 *   - the main listener: workload.mtls && config.mtls.mainAllowedSpiffeIds
 *       ? createMtlsServer(app, { credentials: workload.mtls, allowedSpiffeIds, name: 'main', logger })
 *       : http.createServer(app)
 *   - audit call sites: workload.audit.record(event, fields) instead of audit(logger, event, fields)
 * Shutdown (SIGTERM): close the main listener (in-flight requests finish), then `await workload.stop()`, which
 * drains the audit queues within AUDIT_DRAIN_SECONDS and closes the internal listener and the file watch.
 */
import { parseAuditExportConfig, type AuditExportConfig } from '../audit/config.js';
import { createAuditExport, type AuditExport } from '../audit/export.js';
import type { DrainReport } from '../audit/queue.js';
import { startInternalListener, type HealthReport, type InternalListener } from '../internal/listener.js';
import type { Logger } from '../log/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { parseMtlsConfig, type MtlsConfig } from '../mtls/config.js';
import { MtlsCredentials, type CredentialsStatus } from '../mtls/credentials.js';
import { parseIdentityConfig, type IdentityConfig, type Parsed } from './config.js';
import {
  formatCredentialLine,
  WorkloadIdentity,
  type CredentialReport,
  type IdentityStatus,
} from './workload-identity.js';

export interface WorkloadConfig {
  identity: IdentityConfig;
  audit: AuditExportConfig;
  mtls: MtlsConfig;
}

/** All of this module's variables; cross-checks included (an export needs an identity). Pure. */
export function parseWorkloadConfig(env: Readonly<Record<string, string | undefined>>): Parsed<WorkloadConfig> {
  const identity = parseIdentityConfig(env);
  const audit = parseAuditExportConfig(env);
  const mtls = parseMtlsConfig(env);
  const problems = [...identity.problems, ...audit.problems, ...mtls.problems];
  if (identity.value.mode === 'off' && identity.problems.length === 0) {
    for (const name of ['AUDIT_SINK', 'AUDIT_WEBHOOK_URL'] as const) {
      if (env[name]?.trim())
        problems.push(
          `${name} is set but SCOPEWISE_IDENTITY is off: the export runs as Scopewise's own identity; set SCOPEWISE_IDENTITY=metadata (on Google Cloud) or adc`,
        );
    }
  }
  return { value: { identity: identity.value, audit: audit.value, mtls: mtls.value }, problems };
}

export interface WorkloadHealth {
  identity: IdentityStatus;
  audit: Array<{
    sink: string;
    depth: number;
    delivered: number;
    dropped: number;
    lastError?: { code: string; at: string };
  }>;
  mtls?: CredentialsStatus;
}

export interface Workload {
  identity: WorkloadIdentity | undefined;
  report: CredentialReport | undefined;
  audit: AuditExport;
  metrics: Metrics;
  mtls: MtlsCredentials | undefined;
  internal: InternalListener | undefined;
  /** Everything, for the health detail (src/lifecycle/health.ts) on the internal (mTLS) /healthz. */
  health(): WorkloadHealth;
  /** Drains the audit queues (deadline: AUDIT_DRAIN_SECONDS), closes the internal listener and the watch. */
  stop(): Promise<DrainReport[]>;
}

export interface WorkloadDeps {
  logger: Logger;
  production?: boolean;
  googleApiBaseUrl?: string | undefined;
  /** CloudEvents source of webhook events, e.g. the BASE_URL origin. */
  eventSource?: string;
  /** The instance's health detail (src/lifecycle/health.ts, with health() below in it) for the internal /healthz. */
  appHealth?: () => Promise<HealthReport>;
  metrics?: Metrics;
}

export async function startWorkload(config: WorkloadConfig, deps: WorkloadDeps): Promise<Workload> {
  const { logger } = deps;
  let identity: WorkloadIdentity | undefined;
  let report: CredentialReport | undefined;
  if (config.identity.mode !== 'off') {
    identity = new WorkloadIdentity({ mode: config.identity.mode, production: deps.production ?? false });
    report = await identity.describe(); // no credentials: the start fails here, with the error's code
    logger.info(
      { identity: { mode: report.mode, kind: report.kind, source: report.source, account: report.account } },
      formatCredentialLine(report),
    );
    for (const w of report.warnings) logger.warn({ errorCode: w.split(':')[0] }, w);
  }
  const audit = createAuditExport(config.audit, {
    logger,
    identity,
    googleApiBaseUrl: deps.googleApiBaseUrl,
    ...(deps.eventSource ? { eventSource: deps.eventSource } : {}),
  });
  const metrics = deps.metrics ?? new Metrics();
  metrics.watchAuditQueues(() => audit.stats());

  let mtls: MtlsCredentials | undefined;
  let internal: InternalListener | undefined;
  const health = (): WorkloadHealth => ({
    identity: identity?.status() ?? { mode: 'off', state: 'off' },
    audit: audit.stats().map((s) => ({
      sink: s.sink,
      depth: s.depth,
      delivered: s.delivered,
      dropped: s.dropped.queue_full + s.dropped.rejected + s.dropped.shutdown + s.dropped.closed,
      ...(s.lastError ? { lastError: s.lastError } : {}),
    })),
    ...(mtls ? { mtls: mtls.status() } : {}),
  });
  try {
    if (config.mtls.credentialsDir) {
      mtls = await MtlsCredentials.open(config.mtls.credentialsDir, {
        logger,
        pollMs: config.mtls.reloadPollSeconds * 1000,
      });
    }
    if (config.mtls.internal && mtls) {
      const appHealth = deps.appHealth ?? (async () => ({ ready: true, workload: health() }));
      internal = await startInternalListener({
        host: config.mtls.internal.host,
        port: config.mtls.internal.port,
        credentials: mtls,
        allowedSpiffeIds: config.mtls.internal.allowedSpiffeIds,
        metrics,
        health: appHealth,
        logger,
      });
    }
  } catch (err) {
    mtls?.close();
    await audit.drain(0);
    throw err;
  }

  let stopping: Promise<DrainReport[]> | undefined;
  return {
    identity,
    report,
    audit,
    metrics,
    mtls,
    internal,
    health,
    stop() {
      stopping ??= (async () => {
        const reports = await audit.drain();
        for (const r of reports)
          logger.info({ sink: r.sink, delivered: r.delivered, dropped: r.dropped }, 'audit export drained');
        await internal?.close();
        mtls?.close();
        return reports;
      })();
      return stopping;
    },
  };
}
