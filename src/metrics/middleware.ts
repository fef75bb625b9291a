/**
 * Request metrics as cheap as prom-client allows: one shared `finish` listener (no closure per request), the
 * start time in a symbol slot of the response, and the route label taken from Express's matched route
 * (`req.baseUrl + req.route.path`, e.g. `/api/items/:id`), cached per route object, so that a raw URL never
 * becomes a label (a label per URL would grow the registry without bound). Unmatched requests (404s, static
 * files) share one label. Label objects are cached too; what is left per request is prom-client's own work.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ROUTE_UNMATCHED, type Metrics } from './metrics.js';

const START = Symbol('scopewise.metrics.start');
const METRICS = Symbol('scopewise.metrics');

type Timed = Response & { [START]?: number; [METRICS]?: RequestMetricsState };

interface RequestMetricsState {
  metrics: Metrics;
  /** route object → baseUrl → label */
  labels: WeakMap<object, Map<string, string>>;
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

export function routeLabel(req: Request, cache: WeakMap<object, Map<string, string>>): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return ROUTE_UNMATCHED;
  let byBase = cache.get(route);
  if (!byBase) {
    byBase = new Map();
    cache.set(route, byBase);
  }
  const base = req.baseUrl;
  let label = byBase.get(base);
  if (label === undefined) {
    label = `${base}${route.path}` || '/';
    byBase.set(base, label);
  }
  return label;
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
  const route = routeLabel(req, state.labels);
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
  const state: RequestMetricsState = { metrics, labels: new WeakMap(), series: new Map() };
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
