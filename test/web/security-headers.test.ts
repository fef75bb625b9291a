// helmet's headers are worked out once per process and replayed on every response (src/web/security.ts). The rule
// that must hold: every kind of response still carries exactly what helmet itself sets, and a policy that would
// differ per request (a CSP nonce) is refused instead of replayed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import helmet from 'helmet';
import { startStack, type Stack } from '../support/index.js';
import { helmetOptions, recordHeaderChanges, replayHeaders } from '../../src/web/security.js';

const stacks: Stack[] = [];
after(async () => {
  for (const s of stacks) await s.close();
});

test("every kind of response carries exactly helmet's headers: pages, redirects, errors, consent, static files, JSON", async () => {
  const stack = await startStack();
  stacks.push(stack);
  const expected = recordHeaderChanges(helmet(helmetOptions(new URL(stack.mockUrl).origin, { https: false })));
  assert.ok(
    expected.set.some(([name]) => name === 'Content-Security-Policy'),
    'helmet sets a CSP',
  );
  const anonymous = stack.browser();
  const alice = await stack.signIn('alice@example.com');
  const check = async (label: string, res: Response, status: number) => {
    await res.arrayBuffer();
    assert.equal(res.status, status, label);
    for (const [name, value] of expected.set) assert.equal(res.headers.get(name), value, `${label}: ${name}`);
    for (const name of expected.removed) assert.equal(res.headers.get(name), null, `${label}: ${name} removed`);
  };
  const url = (path: string) => `${stack.baseUrl}${path}`;
  await check('signed-out home', await anonymous.request(url('/')), 200);
  await check('sign-in redirect', await anonymous.request(url('/login')), 303);
  await check('static file', await anonymous.request(url('/public/app.css')), 200);
  await check('health (JSON)', await anonymous.request(url('/healthz')), 200);
  await check('not signed in (401 page)', await anonymous.request(url('/account')), 401);
  await check('feature page asking for consent', await alice.request(url('/projects')), 200);
  await check(
    'consent confirmation (cross-site start)',
    await alice.request(url('/consent/projects?returnTo=/projects'), { headers: { 'sec-fetch-site': 'cross-site' } }),
    200,
  );
  await stack.grant(alice, 'projects');
  await check('feature page', await alice.request(url('/projects')), 200);
  await check('account page', await alice.request(url('/account')), 200);
  await check('404 page', await alice.request(url('/no-such-page')), 404);
  await check('400 page (bad input)', await alice.request(url('/projects/not%20a%20project/iam')), 400);
  await check(
    '403 page (cross-site POST)',
    await alice.request(url('/logout'), { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } }),
    403,
  );
});

test('a CSP computed per request (a nonce) is refused, not replayed', () => {
  const nonced = helmet({
    contentSecurityPolicy: {
      directives: { scriptSrc: ["'self'", () => `'nonce-${crypto.randomBytes(8).toString('base64')}'`] },
    },
  });
  assert.throws(() => replayHeaders(nonced), /differ per request/);
  const fixed = helmet();
  assert.doesNotThrow(() => replayHeaders(fixed));
});
