// Prometheus metrics: requests and latency labelled by Express's matched route (never the raw URL), the counters
// the request path feeds, and the values read at scrape time (audit queues, store health).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { Metrics } from '../../src/metrics/metrics.js';
import { labelledMount, metricsHandler, requestMetrics } from '../../src/metrics/middleware.js';
import type { AuditQueueStats } from '../../src/audit/queue.js';

const metrics = new Metrics({ defaultMetrics: false });
let server: http.Server;
let base: string;

before(async () => {
  const app = express();
  app.use(requestMetrics(metrics));
  const api = express.Router();
  api.get('/items/:id', (_req, res) => void res.send('item'));
  app.use('/api', labelledMount('/api', api));
  app.get('/vms', (_req, res) => void res.send('vms'));
  app.post('/vms/:name/stop', (_req, res) => void res.status(303).end());
  app.get('/metrics', metricsHandler(metrics));
  app.use((_req, res) => void res.status(404).send('not found'));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
});

async function scrape(): Promise<string> {
  return (await metrics.exposition()).body;
}

describe('request metrics', () => {
  it('one series per matched route, whatever the URL', async () => {
    for (const id of ['1', '2', 'abc', 'etc%2Fpasswd']) await (await fetch(`${base}/api/items/${id}?q=${id}`)).text();
    await (await fetch(`${base}/vms?project=acme-prod`)).text();
    await (await fetch(`${base}/vms/web-1/stop`, { method: 'POST' })).text();
    const text = await scrape();
    assert.match(text, /scopewise_http_requests_total\{method="GET",route="\/api\/items\/:id",status="200"\} 4/);
    assert.match(text, /scopewise_http_requests_total\{method="GET",route="\/vms",status="200"\} 1/);
    assert.match(text, /scopewise_http_requests_total\{method="POST",route="\/vms\/:name\/stop",status="303"\} 1/);
    assert.match(text, /scopewise_http_request_duration_seconds_count\{method="GET",route="\/api\/items\/:id"\} 4/);
    assert.ok(!/abc|passwd|acme-prod|web-1/.test(text), 'no URL part ever becomes a label');
  });

  it('a mounted router’s routes carry the configured mount path, whatever the request’s spelling of it', async () => {
    for (const p of ['/API/items/1', '/Api/items/2', '/api/items/3/']) await (await fetch(`${base}${p}`)).text();
    const text = await scrape();
    assert.match(text, /scopewise_http_requests_total\{method="GET",route="\/api\/items\/:id",status="200"\} 7/);
    assert.ok(!/route="\/A[Pp][Ii]/.test(text));
  });

  it('unmatched requests (404s) share one label, so scanning cannot grow the registry', async () => {
    for (const p of ['/wp-admin', '/.env', '/x/y/z']) await (await fetch(`${base}${p}`)).text();
    const text = await scrape();
    assert.match(text, /scopewise_http_requests_total\{method="GET",route="unmatched",status="404"\} 3/);
    assert.ok(!/wp-admin|\.env/.test(text));
  });

  it('the exposition is Prometheus text', async () => {
    const res = await fetch(`${base}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await res.text(), /# TYPE scopewise_http_requests_total counter/);
  });
});

describe('counters fed by the app', () => {
  it('refreshes, consent, Google API errors', async () => {
    metrics.recordRefresh('ok');
    metrics.recordRefresh('failed');
    metrics.recordConsent('vms', 'granted');
    metrics.recordConsent('vms', 'declined');
    metrics.recordGoogleApiError('compute', 'SCOPE_INSUFFICIENT');
    const text = await scrape();
    assert.match(text, /scopewise_token_refreshes_total\{outcome="failed"\} 1/);
    assert.match(text, /scopewise_consent_total\{feature="vms",outcome="declined"\} 1/);
    assert.match(text, /scopewise_google_api_errors_total\{api="compute",code="SCOPE_INSUFFICIENT"\} 1/);
  });

  it('audit queue depth, deliveries and drops, and store health, read at scrape time', async () => {
    const stats: AuditQueueStats = {
      sink: 'cloud-logging',
      depth: 7,
      capacity: 100,
      enqueued: 20,
      delivered: 12,
      dropped: { queue_full: 1, rejected: 0, shutdown: 0, closed: 0 },
      droppedByPriority: { security: 0, low: 1 },
      failedAttempts: 3,
      lastError: undefined,
      lastDeliveryAt: undefined,
      retrying: 1,
      closed: false,
    };
    metrics.watchAuditQueues(() => [stats]);
    let up = true;
    metrics.watchStore('redis', async () => up);
    let text = await scrape();
    assert.match(text, /scopewise_audit_queue_depth\{sink="cloud-logging"\} 7/);
    assert.match(text, /scopewise_audit_delivered_total\{sink="cloud-logging"\} 12/);
    assert.match(text, /scopewise_audit_dropped_total\{sink="cloud-logging",reason="queue_full"\} 1/);
    assert.match(text, /scopewise_audit_dropped_by_priority_total\{sink="cloud-logging",priority="low"\} 1/);
    assert.match(text, /scopewise_audit_dropped_by_priority_total\{sink="cloud-logging",priority="security"\} 0/);
    assert.match(text, /scopewise_store_up\{store="redis"\} 1/);
    stats.depth = 0;
    stats.delivered = 19;
    up = false;
    text = await scrape();
    assert.match(text, /scopewise_audit_queue_depth\{sink="cloud-logging"\} 0/);
    assert.match(text, /scopewise_audit_delivered_total\{sink="cloud-logging"\} 19/);
    assert.match(text, /scopewise_store_up\{store="redis"\} 0/);
  });

  it('two registries in one process keep apart (no global state)', async () => {
    const other = new Metrics({ defaultMetrics: false });
    other.recordRefresh('ok');
    assert.match((await other.exposition()).body, /scopewise_token_refreshes_total\{outcome="ok"\} 1/);
    assert.match(await scrape(), /scopewise_token_refreshes_total\{outcome="ok"\} 1/);
  });
});
