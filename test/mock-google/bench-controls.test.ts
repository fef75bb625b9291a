// /__control/clients (another OAuth client at run time) and /__control/connections (TCP connections accepted).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mockControl, tokenRequest, useMock } from '../support/mock.js';

const mock = useMock({ reset: true });

describe('bench controls', () => {
  it('a client registered at run time signs in like one given at start-up, and survives a reset', async () => {
    const client = {
      clientId: 'second-app',
      clientSecret: 'second-secret-123',
      redirectUris: ['http://127.0.0.1:9/callback'],
      name: 'Second app',
    };
    assert.equal(
      (
        await fetch(`${mock.url}/__control/clients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...client, redirectUris: ['not a url'] }),
        })
      ).status,
      400,
    );
    await mockControl(mock, 'clients', client);
    await mockControl(mock, 'reset', {});
    await mockControl(mock, 'settings', { autoApprove: { email: 'alice@example.com' } });
    const q = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUris[0]!,
      response_type: 'code',
      scope: 'openid email',
      state: 's',
    });
    const auth = await fetch(`${mock.url}/o/oauth2/v2/auth?${q}`, { redirect: 'manual' });
    assert.equal(auth.status, 302);
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const tok = await tokenRequest(
      mock,
      { grant_type: 'authorization_code', code, redirect_uri: client.redirectUris[0]! },
      'post',
      client,
    );
    assert.equal(tok.status, 200);
    assert.equal(
      (await mockControl(mock, 'grants?email=alice@example.com&clientId=second-app')).clients[0],
      'second-app',
    );
  });

  it('connections counts TCP connections accepted, not requests', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const get = (path: string) =>
      new Promise<string>((resolve, reject) =>
        http
          .get(`${mock.url}${path}`, { agent }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(body));
          })
          .on('error', reject),
      );
    const before = JSON.parse(await get('/__control/connections')) as { accepted: number; open: number };
    for (let i = 0; i < 5; i++) await get('/.well-known/openid-configuration');
    const after = JSON.parse(await get('/__control/connections')) as { accepted: number; open: number };
    assert.equal(after.accepted, before.accepted, 'five requests on one kept-alive connection: no new connection');
    assert.ok(after.open >= 1);
    agent.destroy();
  });
});
