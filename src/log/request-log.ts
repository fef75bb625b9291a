// One log line per request (pino-http) with a request id that is also sent back as X-Request-Id. When
// the level leaves request lines out (warn and above), only the id is set: no per-request child logger.
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { pathOnly, type Logger } from './logger.js';

export function requestLogging(logger: Logger): RequestHandler {
  if (!logger.isLevelEnabled('info')) {
    return (req, res, next) => {
      const id = crypto.randomUUID();
      (req as { id?: unknown }).id = id;
      (req as { log?: Logger }).log = logger;
      res.setHeader('X-Request-Id', id);
      next();
    };
  }
  return pinoHttp({
    logger,
    genReqId: (_req, res) => {
      const id = crypto.randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      // Only the path: query strings may carry a code or a state.
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: pathOnly(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/public/') || req.url === '/healthz' },
  });
}
