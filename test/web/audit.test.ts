// The audit trail an admin can read: one JSON line per event, with who, what and the outcome, no secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';
import { hiddenInput } from '../support/browser.js';
import { AUTH } from '../support/auth-scope.js';

const stack = useStack({ reset: false });

test('sign-in, consent, a refused sign-in, a refresh failure and disconnect each leave one audit line', async () => {
  await stack.control('settings', { accessTokenTtlSeconds: 1 });
  const b = await stack.signIn('alice@example.com');
  await stack.control('settings', { autoApprove: { email: 'alice@example.com' } });
  const vms = await b.follow(`${stack.baseUrl}/consent/vms?returnTo=/vms`);
  assert.equal(vms.status, 200);
  await vms.arrayBuffer();

  const signIn = stack.logs.events('sign-in').at(-1)!;
  assert.equal(signIn.email, 'alice@example.com');
  assert.equal(signIn.sub, '100000000000000000001');
  const asked = stack.logs.events('consent-asked').at(-1)!;
  assert.deepEqual([asked.feature, asked.scopes], ['vms', [`${AUTH}compute.readonly`]]);
  const granted = stack.logs.events('consent-granted').at(-1)!;
  assert.equal(granted.feature, 'vms');
  assert.ok((granted.granted as string[]).includes(`${AUTH}compute.readonly`));
  assert.deepEqual(granted.declined, []);

  // The access token (1 s) is past its half-life; the token endpoint fails: refresh failure, access kept.
  await new Promise((r) => setTimeout(r, 1100));
  await stack.control('inject', { endpoint: 'token', status: 503, times: 5 });
  const down = await b.request(`${stack.baseUrl}/vms?project=acme-prod`);
  assert.equal(down.status, 503);
  await down.arrayBuffer();
  const failed = stack.logs.events('token-refresh-failed').at(-1)!;
  assert.equal(failed.sub, '100000000000000000001');
  assert.equal(failed.reason, 'IDP_UNAVAILABLE');
  await stack.control('reset', {}); // clear the injected failures

  const csrf = hiddenInput(await (await b.request(`${stack.baseUrl}/account`)).text(), '_csrf')!;
  const res = await b.postForm(`${stack.baseUrl}/disconnect`, { _csrf: csrf });
  await res.arrayBuffer();
  const disconnect = stack.logs.events('disconnect').at(-1)!;
  assert.equal(disconnect.sub, '100000000000000000001');
  assert.equal(typeof disconnect.revoked, 'boolean');

  await stack.signIn('carol@gmail.com').catch(() => undefined);
  const refused = stack.logs.events('sign-in-refused').at(-1)!;
  assert.equal(refused.email, 'carol@gmail.com');
  assert.equal(refused.reason, 'DOMAIN_NOT_ALLOWED');

  for (const line of stack.logs.lines.filter((l) => l.includes('"audit":true'))) {
    assert.ok(
      !/ya29\.|1\/\/mock|eyJ[A-Za-z0-9_-]{10,}\./.test(line),
      `a token in an audit line: ${line.slice(0, 120)}`,
    );
  }
});
