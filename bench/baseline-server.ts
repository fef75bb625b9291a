// The HTTP server the comparison apps (bare.ts, peer-eoc.ts) run in: loopback, the same keep-alive as
// Scopewise's own listener so that only the app differs, and a prompt exit when the bench stops them (SIGTERM).
import http from 'node:http';

export function serveBaseline(app: http.RequestListener, port: number): http.Server {
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  return server;
}
