/**
 * DEMO_WORKLOAD=1: the demo acts as itself too. Scopewise finds its identity through the mock's metadata server
 * (SCOPEWISE_IDENTITY=metadata: only the metadata server is asked, so a developer's own gcloud login or key file
 * is never picked up and never sent to the mock), and exports its audit trail to the mock's Cloud Logging
 * (log `scopewise-audit` of acme-prod: the Logs page shows it) and to the mock's private Cloud Run receiver.
 *
 * The demo launcher calls `applyDemoWorkload(process.env, mock.url)` after starting the mock and before loading
 * the config. It writes process.env on purpose: google-auth-library reads GCE_METADATA_HOST from process.env, its
 * documented way to point it at another metadata server.
 */

export const DEMO_AUDIT_SINK = 'cloud-logging:acme-prod/scopewise-audit';
export const DEMO_RECEIVER_PATH = '/cloudrun/audit-receiver/events';

export function demoWorkloadWanted(env: Readonly<Record<string, string | undefined>>): boolean {
  return env['DEMO_WORKLOAD'] === '1' || env['DEMO_WORKLOAD'] === 'true';
}

/** The variables DEMO_WORKLOAD=1 sets (pure). Explicit AUDIT_* settings win; the identity is always the mock's. */
export function demoWorkloadEnv(
  env: Readonly<Record<string, string | undefined>>,
  mockUrl: string,
): Record<string, string> {
  if (!demoWorkloadWanted(env)) return {};
  const mock = new URL(mockUrl);
  return {
    SCOPEWISE_IDENTITY: 'metadata',
    GCE_METADATA_HOST: mock.host,
    // gcp-metadata prefers GCE_METADATA_IP to GCE_METADATA_HOST: an inherited one must not win.
    GCE_METADATA_IP: '',
    AUDIT_SINK: env['AUDIT_SINK'] || DEMO_AUDIT_SINK,
    AUDIT_WEBHOOK_URL: env['AUDIT_WEBHOOK_URL'] || new URL(DEMO_RECEIVER_PATH, mock).href,
    AUDIT_FLUSH_MS: env['AUDIT_FLUSH_MS'] || '250',
  };
}

/** Applies demoWorkloadEnv to `env` (process.env in the launcher) and returns the lines the demo prints. */
export function applyDemoWorkload(env: NodeJS.ProcessEnv, mockUrl: string): string[] {
  const add = demoWorkloadEnv(env, mockUrl);
  if (Object.keys(add).length === 0) return [];
  if (env['NODE_ENV'] === 'production') throw new Error('DEMO_WORKLOAD=1 is refused when NODE_ENV=production');
  Object.assign(env, add);
  const base = new URL(mockUrl).origin;
  return [
    `Demo workload: Scopewise acts as itself through the mock metadata server (GCE_METADATA_HOST=${add['GCE_METADATA_HOST']})`,
    `  audit export → ${add['AUDIT_SINK']}  (see ${base}/__control/logging-entries, or the Logs page for acme-prod)`,
    `  audit webhook → ${add['AUDIT_WEBHOOK_URL']}  (see ${base}/__control/run-receiver?service=audit-receiver)`,
  ];
}
