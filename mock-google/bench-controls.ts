// Controls for benchmarks: register another OAuth client at run time (a second app signing in through the same
// mock, e.g. the express-openid-connect peer of `npm run bench`), and count the TCP connections the mock
// accepts (an app that reuses its connections to Google shows about as many as it has concurrent requests; one
// that opens a connection per call shows one per call).
import type { Server } from 'node:http';
import express, { Router } from 'express';
import { z } from 'zod';
import { sendJson } from './http.js';
import type { Store } from './state.js';

const ClientBody = z.object({
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(8).max(200),
  redirectUris: z.array(z.string().url()).min(1).max(50),
  name: z.string().min(1).max(100).optional(),
});

/** Counts connections accepted by `server` since it started (`accepted`) and those open now (`open`). */
export class ConnectionCounter {
  accepted = 0;
  open = 0;

  attach(server: Server): void {
    server.on('connection', (socket) => {
      this.accepted++;
      this.open++;
      socket.once('close', () => {
        this.open--;
      });
    });
  }
}

export function benchControlsRouter(store: Store, connections: ConnectionCounter): Router {
  const r = Router();
  r.use(express.json({ limit: '64kb' }));
  // A client registered here survives `POST reset` (as the clients given at start-up do). Re-registering an
  // id replaces its secret and redirect URIs.
  r.post('/clients', (req, res) => {
    const parsed = ClientBody.safeParse(req.body ?? {});
    if (!parsed.success) return sendJson(res, 400, { error: 'bad_request', message: parsed.error.message });
    const { clientId, clientSecret, redirectUris, name } = parsed.data;
    store.clients.set(clientId, { clientId, clientSecret, redirectUris, name: name ?? clientId });
    sendJson(res, 200, { ok: true, clientId });
  });
  r.get('/connections', (_req, res) => sendJson(res, 200, { accepted: connections.accepted, open: connections.open }));
  return r;
}
