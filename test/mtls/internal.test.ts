// The internal listener: /metrics and /healthz only over mTLS, only to the allowed SPIFFE IDs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { startInternalListener, type InternalListener } from '../../src/internal/listener.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { MtlsCredentials } from '../../src/mtls/credentials.js';
import { LB_ID, SCRAPER_ID, createPki, get, type Pki } from './helpers.js';

let pki: Pki;
let creds: MtlsCredentials;
let internal: InternalListener;
const metrics = new Metrics({ defaultMetrics: false });

before(async () => {
  pki = await createPki();
  creds = await MtlsCredentials.open(pki.credsPath, { pollMs: 60_000 });
  metrics.recordRefresh('ok');
  internal = await startInternalListener({
    host: '127.0.0.1',
    port: 0,
    credentials: creds,
    allowedSpiffeIds: [SCRAPER_ID],
    metrics,
    health: async () => ({ ready: true, sessionStore: 'ok', workload: { mtls: creds.status() } }),
  });
});

after(async () => {
  await internal.close();
  creds.close();
  await pki.cleanup();
});

describe('internal listener', () => {
  it('serves /metrics in Prometheus format to the allowed scraper', async () => {
    const scraper = await pki.ca.issue({ uris: [SCRAPER_ID] });
    const res = await get(`${internal.url}/metrics`, { ca: pki.ca.certPem, client: scraper });
    assert.equal(res.status, 200);
    assert.match(res.body, /^# HELP scopewise_token_refreshes_total/m);
    assert.match(res.body, /scopewise_token_refreshes_total\{outcome="ok"\} 1/);
  });

  it('serves /healthz with the workload parts', async () => {
    const scraper = await pki.ca.issue({ uris: [SCRAPER_ID] });
    const res = await get(`${internal.url}/healthz`, { ca: pki.ca.certPem, client: scraper });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body);
    assert.equal(body.ready, true);
    assert.equal(
      body.workload.mtls.spiffeId,
      'spiffe://pool-1.global.123456789012.workload.id.goog/ns/scopewise/sa/app',
    );
  });

  it('answers nothing over plain HTTP', async () => {
    await assert.rejects(fetch(`http://127.0.0.1:${internal.port}/metrics`));
  });

  it('refuses TLS without a client certificate', async () => {
    await assert.rejects(get(`${internal.url}/metrics`, { ca: pki.ca.certPem }));
  });

  it('refuses a peer allowed elsewhere (the load balancer) but not here', async () => {
    const before = internal.server.mtlsStatus().refused.PEER_NOT_ALLOWED ?? 0;
    const lb = await pki.ca.issue({ uris: [LB_ID] });
    await assert.rejects(get(`${internal.url}/metrics`, { ca: pki.ca.certPem, client: lb }));
    assert.equal(internal.server.mtlsStatus().refused.PEER_NOT_ALLOWED, before + 1);
  });

  it("refuses the scraper's neighbours: its namespace, a longer name, a path below it", async () => {
    const before = internal.server.mtlsStatus().refused.PEER_NOT_ALLOWED ?? 0;
    const neighbours = [`${SCRAPER_ID}-canary`, `${SCRAPER_ID}/sidecar`, SCRAPER_ID.replace(/prometheus$/, 'grafana')];
    for (const id of neighbours) {
      const client = await pki.ca.issue({ uris: [id] });
      await assert.rejects(get(`${internal.url}/metrics`, { ca: pki.ca.certPem, client }), `${id} is refused`);
    }
    assert.equal(internal.server.mtlsStatus().refused.PEER_NOT_ALLOWED, before + neighbours.length);
  });

  it('serves nothing else', async () => {
    const scraper = await pki.ca.issue({ uris: [SCRAPER_ID] });
    const res = await get(`${internal.url}/`, { ca: pki.ca.certPem, client: scraper });
    assert.equal(res.status, 404);
  });

  it('the server presents the workload certificate (no DNS name: clients check the SPIFFE ID)', async () => {
    const scraper = await pki.ca.issue({ uris: [SCRAPER_ID] });
    const san = await new Promise<string | undefined>((resolve, reject) => {
      const socket = tls.connect(
        {
          host: '127.0.0.1',
          port: internal.port,
          ca: pki.ca.certPem,
          cert: scraper.certPem,
          key: scraper.keyPem,
          checkServerIdentity: () => undefined,
        },
        () => {
          resolve(socket.getPeerCertificate().subjectaltname);
          socket.end();
        },
      );
      socket.on('error', reject);
    });
    assert.equal(san, 'URI:spiffe://pool-1.global.123456789012.workload.id.goog/ns/scopewise/sa/app');
  });
});
