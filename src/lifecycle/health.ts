// Health, in one place. `healthDetail()` builds what an operator needs to know about this instance (the session
// store, the identity provider, Scopewise's own identity, audit queues and mTLS certificates, the Redis eviction
// policy found at start): the internal mTLS listener serves it (src/internal/listener.ts), and its change of readiness is
// logged. The public /healthz answers only `{ready}`: the detail is operational information (certificate expiry,
// reload failures, queue depth and drops) that the internet has no business reading.
//
// To report something more (a finding of another module), add an optional source below and its field in
// `healthDetail`; whether it makes the instance unready is decided here too.
import type { Logger } from '../log/logger.js';
import type { WorkloadHealth } from '../identity/workload.js';

export type PartState = 'ok' | 'unavailable';

export interface HealthSources {
  storage: { isHealthy(): Promise<boolean>; findings?(): Record<string, unknown> };
  identityProvider: { readonly ready: boolean };
  /** Scopewise's own identity, audit export and mTLS credentials (src/identity/workload.ts). */
  workload?: () => WorkloadHealth;
}

export interface HealthDetail {
  /** Sessions can be served and users can sign in: the session store and the identity provider answer. */
  ready: boolean;
  sessionStore: PartState;
  identityProvider: PartState;
  workload?: WorkloadHealth;
  /** The storage backend's start-up findings (Redis: its eviction policy, src/storage/redis-policy.ts). */
  storage?: Record<string, unknown>;
}

export async function healthDetail(sources: HealthSources): Promise<HealthDetail> {
  const store = await sources.storage.isHealthy().catch(() => false);
  const idp = sources.identityProvider.ready;
  const findings = sources.storage.findings?.();
  return {
    ready: store && idp,
    sessionStore: store ? 'ok' : 'unavailable',
    identityProvider: idp ? 'ok' : 'unavailable',
    ...(sources.workload ? { workload: sources.workload() } : {}),
    ...(findings ? { storage: findings } : {}),
  };
}

/** What the public /healthz may say. */
export function publicHealth(detail: Pick<HealthDetail, 'ready'>): { ready: boolean } {
  return { ready: detail.ready };
}

/**
 * Logs each change of readiness once, with the detail (the public answer has none): `warn` when the instance
 * becomes unready, `info` when it is ready again. The first look is logged only when unready.
 */
export function readinessWatch(logger: Logger): (detail: HealthDetail) => void {
  let last: boolean | undefined;
  return (detail) => {
    if (detail.ready === last || (last === undefined && detail.ready)) {
      last = detail.ready;
      return;
    }
    last = detail.ready;
    if (detail.ready) logger.info({ health: detail }, 'health: ready again');
    else logger.warn({ health: detail }, 'health: not ready');
  };
}
