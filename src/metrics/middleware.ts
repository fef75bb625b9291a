/**
 * Request metrics as cheap as prom-client allows: one shared `finish` listener (no closure per request), the
 * start time in a symbol slot of the response, and the route label taken from Express's matched route as it was
 * configured (`req.route.path`, e.g. `/consent/:featureId`), so that nothing a request spells becomes a label:
 * not its URL, and not its spelling of a mount path (`req.baseUrl` is the request's own text, and Express
 * matches paths case-insensitively: /RISC, /Risc… would each be a series). A router mounted under a path is
 * mounted with `labelledMount(path, router)`, which adds the configured path to its routes' labels. Unmatched
 * requests (404s, static files) share one label. Label objects are cached too; what is left per request is
 * prom-client's own work.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ROUTE_UNMATCHED, type Metrics } from './metrics.js';

const START = Symbol('scopewise.metrics.start');
const MOUNT = Symbol('scopewise.metrics.mount');
const METRICS = Symbol('scopewise.metrics');

type Timed = Response & { [START]?: number; [METRICS]?: RequestMetricsState };

interface RequestMetricsState {
  metrics: Metrics;
  /** label → method → { request counter labels by status, histogram labels } */
  series: Map<
    string,
    Map<
      string,
      {
        byStatus: Map<number, { method: string; route: string; status: string }>;
        timing: { method: string; route: string };
      }
    >
  >;
}

type Mounted = Request & { route?: { path?: unknown }; [MOUNT]?: string };

/** The configured path of the route that answered `req` (with its configured mount path), or `unmatched`. */
export function routeLabel(req: Request): string {
  const { route, [MOUNT]: mount = '' } = req as Mounted;
  if (!route || typeof route.path !== 'string') return ROUTE_UNMATCHED;
  return `${mount}${route.path === '/' && mount ? '' : route.path}` || '/';
}

/**
 * `app.use(path, labelledMount(path, router))`: the router's routes are labelled under the configured `path`
 * (never the request's spelling of it), for as long as the request is inside the router.
 */
export function labelledMount(path: string, router: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const r = req as Mounted;
    const outer = r[MOUNT];
    r[MOUNT] = `${outer ?? ''}${path}`;
    router(req, res, (err?: unknown) => {
      r[MOUNT] = outer;
      next(err as Error | undefined);
    });
  };
}

function seriesFor(state: RequestMetricsState, route: string, method: string) {
  let byMethod = state.series.get(route);
  if (!byMethod) {
    byMethod = new Map();
    state.series.set(route, byMethod);
  }
  let s = byMethod.get(method);
  if (!s) {
    s = { byStatus: new Map(), timing: { method, route } };
    byMethod.set(method, s);
  }
  return s;
}

function onFinish(this: Timed): void {
  const started = this[START];
  const state = this[METRICS];
  if (started === undefined || !state) return;
  const req = this.req;
  const route = routeLabel(req);
  const s = seriesFor(state, route, req.method);
  const status = this.statusCode;
  let counterLabels = s.byStatus.get(status);
  if (!counterLabels) {
    counterLabels = { method: req.method, route, status: String(status) };
    s.byStatus.set(status, counterLabels);
  }
  state.metrics.httpRequests.inc(counterLabels);
  state.metrics.httpDuration.observe(s.timing, (performance.now() - started) / 1000);
}

/** Mount first: `app.use(requestMetrics(metrics))`. */
export function requestMetrics(metrics: Metrics): RequestHandler {
  const state: RequestMetricsState = { metrics, series: new Map() };
  return (_req: Request, res: Response, next: NextFunction) => {
    const timed = res as Timed;
    timed[START] = performance.now();
    timed[METRICS] = state;
    res.once('finish', onFinish);
    next();
  };
}

/** GET /metrics handler (mount it on the internal listener only). */
export function metricsHandler(metrics: Metrics): RequestHandler {
  return (_req, res, next) => {
    metrics.exposition().then(({ contentType, body }) => {
      res.set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
    }, next);
  };
}
