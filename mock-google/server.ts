// createMockGoogle(): an OAuth 2.0 / OIDC server and Cloud APIs that behave like Google's where Scopewise depends on it.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { sendPage } from './oauth/authorize.js';
import { authorizeRouter } from './oauth/authorize.js';
import { discoveryRouter } from './oauth/discovery.js';
import { tokenRouter } from './oauth/token.js';
import { userinfoRouter } from './oauth/userinfo.js';
import { cloudApiRouter } from './cloud/router.js';
import { controlsRouter } from './controls.js';
import { benchControlsRouter, ConnectionCounter } from './bench-controls.js';
import { createRiscTransmitter } from './risc/router.js';
import type { MockContext } from './context.js';
import { sendJson } from './http.js';
import { KeyStore } from './keys.js';
import { loadCatalog } from './methods.js';
import { Store, type Client } from './state.js';
import type { OperationTiming } from './cloud/operations.js';
import { FIXTURE_USERS } from './users.js';
import { CSS, CSS_PATH, homePage } from './views.js';
import { WorkloadState, workloadControlsRouter, workloadRouter } from './workload/index.js';

export interface MockClientOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Name shown on the consent screen; defaults to the client id. */
  name?: string;
}

export interface MockGoogleOptions {
  /** 0 = random. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  clients?: MockClientOptions[];
  /** Override the methods.json location (else GOOGLE_METHODS_JSON / vendor / ../shared). */
  methodsJsonPath?: string;
  /** How long VM stops and starts take (default: done at once; the demo uses DEMO_TIMING). */
  operationTiming?: OperationTiming;
}

export interface MockGoogle {
  /** Base URL, e.g. `http://127.0.0.1:4000` (also the root for GOOGLE_API_BASE_URL). */
  url: string;
  /** `http://127.0.0.1:<port>` */
  issuer: string;
  close(): Promise<void>;
}

export async function createMockGoogle(options: MockGoogleOptions = {}): Promise<MockGoogle> {
  const host = options.host ?? '127.0.0.1';
  const clients: Client[] = (options.clients ?? []).map((c) => ({
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    redirectUris: [...c.redirectUris],
    name: c.name ?? c.clientId,
  }));
  const catalog = loadCatalog(options.methodsJsonPath);
  const keys = await KeyStore.create();
  const store = new Store(clients, options.operationTiming);
  let issuer = '';
  const ctx: MockContext = { store, keys, catalog, issuer: () => issuer };
  const risc = await createRiscTransmitter(ctx);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get(CSS_PATH, (_req, res) => {
    res.type('text/css; charset=utf-8').set('Cache-Control', 'public, max-age=300').send(CSS);
  });
  app.use(risc.router);
  const workload = new WorkloadState();
  app.use(workloadRouter(ctx, workload));
  app.use(cloudApiRouter(ctx));
  app.use(discoveryRouter(ctx));
  app.use(authorizeRouter(ctx));
  app.use(tokenRouter(ctx));
  app.use(userinfoRouter(ctx));
  app.use('/__control/risc', risc.controls);
  app.post('/__control/reset', (_req, _res, next) => {
    risc.reset();
    next();
  });
  app.use('/__control', workloadControlsRouter(ctx, workload));
  const connections = new ConnectionCounter();
  app.use('/__control', benchControlsRouter(store, connections));
  app.use('/__control', controlsRouter(ctx));
  app.get('/', (_req, res) => sendPage(res, 200, homePage({ issuer, users: FIXTURE_USERS })));
  app.use((_req: Request, res: Response) => {
    res
      .status(404)
      .type('text/plain; charset=utf-8')
      .send('404. That’s an error. The requested URL was not found on this server.');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (res.headersSent) return;
    sendJson(res, status, {
      error: status < 500 ? 'invalid_request' : 'server_error',
      error_description: (err as Error).message,
    });
  });

  const server: Server = createServer(app);
  connections.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  issuer = `http://${publicHost}:${port}`;

  const sweeper = setInterval(() => store.sweep(), 30_000);
  sweeper.unref();

  let closed: Promise<void> | undefined;
  return {
    url: issuer,
    issuer,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        clearInterval(sweeper);
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
