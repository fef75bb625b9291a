/**
 * The internal listener (INTERNAL_PORT): /metrics in Prometheus format and /healthz, served only over mTLS to the
 * SPIFFE IDs allowed for it (a Prometheus scraper, a health checker). Nothing else is served there, and the
 * public listener never serves /metrics.
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MtlsCredentials } from '../mtls/credentials.js';
import { createMtlsServer, type MtlsServer } from '../mtls/server.js';

/** The health detail (src/lifecycle/health.ts): whatever it holds, `ready` decides 200 or 503. */
export interface HealthReport {
  readonly ready: boolean;
}

export interface InternalListenerOptions {
  host: string;
  /** 0 = a free port (tests). */
  port: number;
  credentials: MtlsCredentials;
  allowedSpiffeIds: readonly string[];
  metrics: Metrics;
  /** The instance's health detail (src/lifecycle/health.ts), served whole: only mTLS peers allowed here see it. */
  health: () => Promise<HealthReport>;
  logger?: Logger;
}

export interface InternalListener {
  server: MtlsServer;
  port: number;
  /** `https://<host>:<port>` */
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function internalHandler(metrics: Metrics, health: () => Promise<HealthReport>, logger?: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz') {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    const work =
      path === '/metrics'
        ? metrics.exposition().then(({ contentType, body }) => send(res, 200, contentType, body))
        : health().then((report) =>
            send(res, report.ready ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(report)),
          );
    work.catch((err: unknown) => {
      logger?.error({ err, path }, 'internal listener: request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  };
}

export async function startInternalListener(options: InternalListenerOptions): Promise<InternalListener> {
  const server = createMtlsServer(internalHandler(options.metrics, options.health, options.logger), {
    credentials: options.credentials,
    allowedSpiffeIds: options.allowedSpiffeIds,
    name: 'internal',
    ...(options.logger ? { logger: options.logger } : {}),
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  options.logger?.info({ port, allowed: options.allowedSpiffeIds }, 'internal listener (mTLS): /metrics, /healthz');
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
