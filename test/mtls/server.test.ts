// The mTLS listener with a managed workload identity's files: who gets in, who does not, and certificate
// rotation on disk picked up mid-run without a restart or a dropped connection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { MtlsCredentials } from '../../src/mtls/credentials.js';
import {
  createMtlsServer,
  forwardedHeadersOnlyFromPeers,
  peerIdentity,
  type MtlsServer,
} from '../../src/mtls/server.js';
import {
  LB_ID,
  INTRUDER_ID,
  LB_NEAR_MISSES,
  OTHER_TD_LB_ID,
  SERVER_ID,
  clientAgent,
  createPki,
  get,
  rotate,
  within,
  type Pki,
} from './helpers.js';

let pki: Pki;
let creds: MtlsCredentials;
let server: MtlsServer;
let url: string;
let handled = 0;

before(async () => {
  pki = await createPki();
  creds = await MtlsCredentials.open(pki.credsPath, { debounceMs: 50, pollMs: 60_000 });
  const app = express();
  app.set('trust proxy', 1);
  app.use(forwardedHeadersOnlyFromPeers());
  app.get('/whoami', (req, res) => {
    handled++;
    res.json({ peer: peerIdentity(req)?.spiffeId ?? null, ip: req.ip });
  });
  server = createMtlsServer(app, { credentials: creds, allowedSpiffeIds: [LB_ID], name: 'main' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  creds.close();
  await pki.cleanup();
});

describe('who may connect', () => {
  it('an allowed SPIFFE ID from our trust domain is served, and the app sees its identity', async () => {
    const client = await pki.ca.issue({ uris: [LB_ID] });
    const res = await get(`${url}/whoami`, { ca: pki.ca.certPem, client });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).peer, LB_ID);
  });

  async function refused(client: Awaited<ReturnType<Pki['ca']['issue']>> | undefined, code: string): Promise<void> {
    const before = handled;
    const refusedBefore =
      server.mtlsStatus().refused[code as keyof ReturnType<MtlsServer['mtlsStatus']>['refused']] ?? 0;
    await assert.rejects(get(`${url}/whoami`, { ca: pki.ca.certPem, ...(client ? { client } : {}) }));
    assert.equal(handled, before, 'the app never saw the request');
    // The refusal is counted once the server has processed the handshake; give its event loop a turn.
    for (let i = 0; i < 50 && (server.mtlsStatus().refused[code as 'PEER_NOT_ALLOWED'] ?? 0) === refusedBefore; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.mtlsStatus().refused[code as 'PEER_NOT_ALLOWED'], refusedBefore + 1, `counted as ${code}`);
  }

  it('a certificate from another CA (another trust domain) is refused at the handshake', async () => {
    await refused(await pki.stranger.issue({ uris: [LB_ID] }), 'PEER_UNAUTHORIZED');
  });

  it('a certificate from our CA claiming another trust domain is refused', async () => {
    await refused(await pki.ca.issue({ uris: [OTHER_TD_LB_ID] }), 'PEER_WRONG_TRUST_DOMAIN');
  });

  it('a SPIFFE ID not on the allow-list is refused, from another namespace or from the allowed one', async () => {
    await refused(await pki.ca.issue({ uris: [INTRUDER_ID] }), 'PEER_NOT_ALLOWED');
    // Same trust domain, same namespace, only the name differs: the list holds exact IDs, not prefixes.
    for (const id of LB_NEAR_MISSES) await refused(await pki.ca.issue({ uris: [id] }), 'PEER_NOT_ALLOWED');
  });

  it('an expired certificate with an allowed SPIFFE ID is refused', async () => {
    await refused(await pki.ca.issue({ uris: [LB_ID], expired: true }), 'PEER_UNAUTHORIZED');
  });

  it('a client without a certificate is refused', async () => {
    await refused(undefined, 'PEER_UNAUTHORIZED');
  });

  it('a certificate with two URI SANs is not an SVID and is refused', async () => {
    await refused(await pki.ca.issue({ uris: [LB_ID, INTRUDER_ID] }), 'SVID_SEVERAL_URI_SANS');
  });

  it('an empty allow-list is a programming error, not "allow everyone"', () => {
    assert.throws(
      () => createMtlsServer(() => undefined, { credentials: creds, allowedSpiffeIds: [] }),
      /allowedSpiffeIds is empty/,
    );
  });
});

describe('forwarded headers', () => {
  it('are honoured from an authenticated peer on the mTLS listener', async () => {
    const client = await pki.ca.issue({ uris: [LB_ID] });
    const res = await get(`${url}/whoami`, {
      ca: pki.ca.certPem,
      client,
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(JSON.parse(res.body).ip, '203.0.113.7');
  });

  it('are dropped without an authenticated peer (plain HTTP), so a client cannot choose its address', async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.use(forwardedHeadersOnlyFromPeers());
    app.get('/ip', (req, res) => res.json({ ip: req.ip, forwarded: req.get('x-forwarded-for') ?? null }));
    const plain = http.createServer(app);
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/ip`, {
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      assert.deepEqual(await res.json(), { ip: '127.0.0.1', forwarded: null });
    } finally {
      plain.close();
    }
  });
});

describe('rotation on disk', () => {
  it('a new server certificate is used for new connections; a keep-alive connection carries on', async () => {
    const client = await pki.ca.issue({ uris: [LB_ID] });
    const keepAlive = clientAgent({ ca: pki.ca.certPem, client, keepAlive: true });
    try {
      const first = await get(`${url}/whoami`, { ca: pki.ca.certPem, agent: keepAlive });
      assert.equal(first.status, 200);
      const oldFingerprint = creds.current.fingerprint256;
      assert.equal(first.serverFingerprint, oldFingerprint);

      const changed = creds.nextChange();
      const renewed = await pki.ca.issue({ uris: [SERVER_ID] });
      await rotate(pki, renewed); // new content directory + atomic symlink swap, like the guest agent
      await within(changed, 5000, 'the file watch did not report the rotation');
      assert.notEqual(creds.current.fingerprint256, oldFingerprint);

      const again = await get(`${url}/whoami`, { ca: pki.ca.certPem, agent: keepAlive });
      assert.equal(again.status, 200);
      assert.equal(again.reusedSocket, true, 'the same connection');
      assert.equal(again.socket, first.socket);
      assert.equal(again.serverFingerprint, oldFingerprint, 'an established connection keeps its handshake');

      const fresh = await get(`${url}/whoami`, { ca: pki.ca.certPem, client });
      assert.equal(fresh.status, 200);
      assert.equal(fresh.serverFingerprint, creds.current.fingerprint256, 'a new connection sees the new certificate');
    } finally {
      keepAlive.destroy();
    }
  });

  it('half-rotated files (key of one certificate, certificate of another) are not used; the complete rotation is', async () => {
    const a = await pki.ca.issue({ uris: [SERVER_ID] });
    const b = await pki.ca.issue({ uris: [SERVER_ID] });
    const before = creds.current.fingerprint256;
    const { writeCredentialsDir } = await import('../support-ca/ca.js');
    await writeCredentialsDir(
      pki.credsPath,
      { certificates: a.certPem, privateKey: b.keyPem, caCertificates: pki.ca.certPem },
      `half-${Date.now()}`,
    );
    assert.equal(await creds.reload(), false);
    assert.equal(creds.current.fingerprint256, before, 'the previous, consistent credentials stay in use');
    assert.equal(creds.status().lastError?.code, 'MTLS_KEY_MISMATCH');
    const changed = creds.nextChange();
    await rotate(pki, b);
    await within(changed, 5000, 'the file watch did not report the rotation');
    assert.equal(creds.status().lastError, undefined);
    const client = await pki.ca.issue({ uris: [LB_ID] });
    const res = await get(`${url}/whoami`, { ca: pki.ca.certPem, client });
    assert.equal(res.serverFingerprint, creds.current.fingerprint256);
  });
});
