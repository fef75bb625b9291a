// The mock as a RISC transmitter: configuration and keys, the tokens it sends, the RISC API's checks.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeProtectedHeader, importPKCS8, jwtVerify, SignJWT } from 'jose';
import type { MockGoogle } from '../../mock-google/server.js';
import { CLIENT, mockControl, startMock, type Json } from '../support/mock.js';

let mock: MockGoogle;
let sink: {
  url: string;
  received: Array<{ contentType: string | undefined; body: string }>;
  server: Server;
  answer: number;
};

before(async () => {
  mock = await startMock();
  const received: Array<{ contentType: string | undefined; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body });
      res.statusCode = sink.answer;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sink = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/risc`, received, server, answer: 202 };
});
after(async () => {
  sink.server.closeAllConnections();
  await new Promise<void>((r) => sink.server.close(() => r()));
  await mock.close();
});
beforeEach(async () => {
  await mockControl(mock, 'reset', {});
  sink.received.length = 0;
  sink.answer = 202;
});

async function json(path: string): Promise<Json> {
  return (await fetch(`${mock.url}${path}`)).json();
}

async function riscApi(
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${mock.url}/risc.googleapis.com/v1beta${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

let accounts = 0;
async function saJwt(claims: Record<string, unknown>, opts: { roles?: string[] } = {}): Promise<string> {
  const email = `sa-${++accounts}@scopewise-mock.iam.gserviceaccount.com`;
  const key = await mockControl(mock, 'risc/service-account', { email, ...(opts.roles ? { roles: opts.roles } : {}) });
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 3600, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.private_key_id })
    .setIssuer(key.client_email)
    .setSubject(key.client_email)
    .sign(await importPKCS8(key.private_key, 'RS256'));
}

describe('mock RISC transmitter', () => {
  it('publishes a RISC configuration whose issuer is not the OIDC issuer, and its own JWKS', async () => {
    const conf = await json('/.well-known/risc-configuration');
    assert.equal(conf.issuer, `${mock.issuer}/`);
    assert.deepEqual(conf.delivery_methods_supported, [
      'https://schemas.openid.net/secevent/risc/delivery-method/push',
    ]);
    const risc = await json(new URL(conf.jwks_uri).pathname);
    const oidc = await json('/oauth2/v3/certs');
    assert.equal(risc.keys.length, 1);
    assert.notEqual(risc.keys[0].kid, oidc.keys[0].kid, 'a key of its own');
    const rotated = await mockControl(mock, 'risc/rotate-key', {});
    assert.equal(rotated.kids.length, 2);
    assert.equal((await json('/oauth2/v3/certs')).keys.length, 1, 'the OIDC keys did not rotate');
  });

  it('sends a SET shaped like Google’s: push, application/secevent+jwt, iss/aud/iat/jti, an iss-sub subject', async () => {
    await mockControl(mock, 'risc/stream', { url: sink.url });
    const r = await mockControl(mock, 'risc/send', {
      email: 'alice@example.com',
      type: 'account-disabled',
      reason: 'hijacking',
    });
    assert.equal(r.status, 202);
    const [got] = sink.received;
    assert.equal(got?.contentType, 'application/secevent+jwt');
    const conf = await json('/.well-known/risc-configuration');
    const jwks = createLocalJWKSet(await json(new URL(conf.jwks_uri).pathname));
    const { payload } = await jwtVerify(got!.body, jwks, { issuer: conf.issuer, audience: CLIENT.clientId });
    assert.equal(payload.jti, r.jti);
    assert.equal(typeof payload.iat, 'number');
    assert.equal(payload.exp, undefined);
    assert.deepEqual(payload['events'], {
      'https://schemas.openid.net/secevent/risc/event-type/account-disabled': {
        subject: { subject_type: 'iss-sub', iss: `${mock.issuer}/`, sub: '100000000000000000001' },
        reason: 'hijacking',
      },
    });
    assert.equal(decodeProtectedHeader(got!.body).alg, 'RS256');
  });

  it('reports the receiver’s answer; a stream that did not ask for a type, or none at all, sends nothing', async () => {
    const none = await fetch(`${mock.url}/__control/risc/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', type: 'sessions-revoked' }),
    });
    assert.equal(none.status, 409);
    await mockControl(mock, 'risc/stream', { url: sink.url, events: ['verification'] });
    assert.equal(
      (await mockControl(mock, 'risc/send', { email: 'alice@example.com', type: 'sessions-revoked' })).delivered,
      false,
    );
    sink.answer = 400;
    assert.equal((await mockControl(mock, 'risc/send', { type: 'verification', state: 'x' })).status, 400);
    assert.equal((await mockControl(mock, 'risc/deliveries')).deliveries.length, 1);
  });

  it('reset forgets the stream and the service accounts', async () => {
    await mockControl(mock, 'risc/stream', { url: sink.url });
    await mockControl(mock, 'reset', {});
    assert.deepEqual(await mockControl(mock, 'risc/stream'), { stream: null });
  });
});

describe('mock RISC API: authentication and validation like Google’s', () => {
  it('no token → 401; a token signed by an unknown key → 401; a JWT with the wrong audience → 401', async () => {
    assert.equal((await riscApi('/stream', undefined)).status, 401);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('x@y.iam.gserviceaccount.com')
      .sign(new Uint8Array(32));
    assert.equal((await riscApi('/stream', forged)).status, 401);
    assert.equal((await riscApi('/stream', await saJwt({ aud: 'https://example.com/' }))).status, 401);
  });

  it('scopes are checked per endpoint; the RISC audience needs none; the role is required', async () => {
    const readOnly = await saJwt({ scope: 'https://www.googleapis.com/auth/risc.configuration.readonly' });
    const update = await riscApi('/stream:update', readOnly, {
      delivery: { delivery_method: 'https://schemas.openid.net/secevent/risc/delivery-method/push', url: sink.url },
      events_requested: [],
    });
    assert.equal(update.status, 403);
    assert.equal(update.body.error.message, 'Request had insufficient authentication scopes.');
    const full = await saJwt({ aud: 'https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService' });
    assert.equal(
      (
        await riscApi('/stream:update', full, {
          delivery: { delivery_method: 'https://schemas.openid.net/secevent/risc/delivery-method/push', url: sink.url },
          events_requested: [],
        })
      ).status,
      200,
    );
    assert.equal((await riscApi('/stream', readOnly)).status, 200);
    const noRole = await saJwt(
      { aud: 'https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService' },
      { roles: [] },
    );
    assert.match((await riscApi('/stream', noRole)).body.error.message, /needs permission/);
  });

  it('stream:update refuses a missing delivery, a non-https URL, a bad status', async () => {
    const t = await saJwt({ aud: 'https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService' });
    const missing = await riscApi('/stream:update', t, { events_requested: [] });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.message, 'Stream configuration must contain delivery field.');
    const http = await riscApi('/stream:update', t, {
      delivery: {
        delivery_method: 'https://schemas.openid.net/secevent/risc/delivery-method/push',
        url: 'http://scopewise.example.com/risc',
      },
      events_requested: [],
    });
    assert.equal(http.status, 403);
    assert.equal(http.body.error.message, 'The delivery endpoint must be an HTTPS URL.');
    assert.equal((await riscApi('/stream/status:update', t, { status: 'enabled' })).status, 404, 'no stream yet');
    await riscApi('/stream:update', t, {
      delivery: { delivery_method: 'https://schemas.openid.net/secevent/risc/delivery-method/push', url: sink.url },
      events_requested: ['https://schemas.openid.net/secevent/risc/event-type/verification', 'urn:unknown'],
    });
    assert.deepEqual((await riscApi('/stream', t)).body.events_delivered, [
      'https://schemas.openid.net/secevent/risc/event-type/verification',
    ]);
    assert.equal((await riscApi('/stream/status:update', t, { status: 'paused' })).status, 403);
    assert.equal((await riscApi('/stream:nope', t, {})).status, 404);
  });
});
