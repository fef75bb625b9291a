/**
 * Scopewise's Prometheus metrics (prom-client), in a registry of their own (no global state: two app
 * instances in one process, as in the tests, keep apart). The request path calls small methods; queue depth,
 * drops and store health are read at scrape time from the objects that own them.
 *
 *   scopewise_http_requests_total{method,route,status}      requests by Express's matched route (never the raw URL)
 *   scopewise_http_request_duration_seconds{method,route}   latency histogram, same route label
 *   scopewise_token_refreshes_total{outcome}                ok | failed
 *   scopewise_consent_total{feature,outcome}                granted | declined (some or all scopes unticked)
 *   scopewise_google_api_errors_total{api,code}             code = GoogleApiError.code
 *   scopewise_audit_queue_depth{sink}                       records waiting
 *   scopewise_audit_delivered_total{sink}
 *   scopewise_audit_dropped_total{sink,reason}              queue_full | rejected | shutdown | closed
 *   scopewise_audit_dropped_by_priority_total{sink,priority} security | low (what anyone can cause)
 *   scopewise_store_up{store}                               1 when the session store answers
 *   + prom-client's default process metrics (scopewise_process_…, scopewise_nodejs_…)
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DROP_REASONS, type AuditQueueStats } from '../audit/queue.js';

export const ROUTE_UNMATCHED = 'unmatched';

export interface MetricsOptions {
  /** Default true. */
  defaultMetrics?: boolean;
  /** Histogram buckets in seconds. */
  buckets?: number[];
}

export type ConsentOutcome = 'granted' | 'declined';

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly tokenRefreshes: Counter<'outcome'>;
  readonly consent: Counter<'feature' | 'outcome'>;
  readonly googleApiErrors: Counter<'api' | 'code'>;
  private readonly auditSources: Array<() => readonly AuditQueueStats[]> = [];
  private readonly storeProbes: Array<{ store: string; probe: () => Promise<boolean> }> = [];

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'scopewise_http_requests_total',
      help: 'HTTP requests by matched route',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'scopewise_http_request_duration_seconds',
      help: 'HTTP request latency by matched route',
      labelNames: ['method', 'route'],
      buckets: options.buckets ?? [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.tokenRefreshes = new Counter({
      name: 'scopewise_token_refreshes_total',
      help: 'Access-token refreshes at the identity provider',
      labelNames: ['outcome'],
      registers,
    });
    this.consent = new Counter({
      name: 'scopewise_consent_total',
      help: 'Incremental consent results per feature',
      labelNames: ['feature', 'outcome'],
      registers,
    });
    this.googleApiErrors = new Counter({
      name: 'scopewise_google_api_errors_total',
      help: 'Google API errors by API and error code',
      labelNames: ['api', 'code'],
      registers,
    });

    const audit = () => this.auditSources.flatMap((s) => s());
    new Gauge({
      name: 'scopewise_audit_queue_depth',
      help: 'Audit records waiting for delivery',
      labelNames: ['sink'],
      registers,
      collect() {
        this.reset();
        for (const s of audit()) this.set({ sink: s.sink }, s.depth);
      },
    });
    new Counter({
      name: 'scopewise_audit_delivered_total',
      help: 'Audit records delivered to a sink',
      labelNames: ['sink'],
      registers,
      collect() {
        this.reset();
        for (const s of audit()) this.inc({ sink: s.sink }, s.delivered);
      },
    });
    new Counter({
      name: 'scopewise_audit_dropped_total',
      help: 'Audit records not exported, by reason (they remain in the local audit log)',
      labelNames: ['sink', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const s of audit())
          for (const reason of DROP_REASONS) this.inc({ sink: s.sink, reason }, s.dropped[reason]);
      },
    });
    new Counter({
      name: 'scopewise_audit_dropped_by_priority_total',
      help: 'Audit records not exported, by priority: security records, or what anyone can cause (low)',
      labelNames: ['sink', 'priority'],
      registers,
      collect() {
        this.reset();
        for (const s of audit())
          for (const priority of ['security', 'low'] as const)
            this.inc({ sink: s.sink, priority }, s.droppedByPriority[priority]);
      },
    });
    const probes = this.storeProbes;
    new Gauge({
      name: 'scopewise_store_up',
      help: '1 when the store answers its health check',
      labelNames: ['store'],
      registers,
      async collect() {
        this.reset();
        const results = await Promise.all(
          probes.map(async (p) => [p.store, await p.probe().catch(() => false)] as const),
        );
        for (const [store, up] of results) this.set({ store }, up ? 1 : 0);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'scopewise_' });
  }

  recordRefresh(outcome: 'ok' | 'failed'): void {
    this.tokenRefreshes.inc({ outcome });
  }

  /** `feature` must come from the catalogue (a bounded set), never from the request. */
  recordConsent(feature: string, outcome: ConsentOutcome): void {
    this.consent.inc({ feature, outcome });
  }

  /** `api` e.g. `compute`, `logging` (from the method id); `code` a GoogleApiError code. */
  recordGoogleApiError(api: string, code: string): void {
    this.googleApiErrors.inc({ api, code });
  }

  /** Queue stats are read at each scrape (e.g. `() => auditExport.stats()`). */
  watchAuditQueues(stats: () => readonly AuditQueueStats[]): void {
    this.auditSources.push(stats);
  }

  /** Asked at each scrape (e.g. `{ store: 'redis', probe: () => sessionStore.isHealthy() }`). */
  watchStore(store: string, probe: () => Promise<boolean>): void {
    this.storeProbes.push({ store, probe });
  }

  /** The Prometheus text exposition and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
