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
  const crossSite = { headers: { 'sec-fetch-site': 'cross-site' } };
  type Case = [label: string, path: string, status: number, init?: Parameters<typeof alice.request>[1]];
  const signedOut: Case[] = [
    ['signed-out home', '/', 200],
    ['sign-in redirect', '/login', 303],
    ['static file', '/public/app.css', 200],
    ['health (JSON)', '/healthz', 200],
    ['not signed in (401 page)', '/account', 401],
  ];
  const beforeConsent: Case[] = [
    ['feature page asking for consent', '/projects', 200],
    ['consent confirmation (cross-site start)', '/consent/projects?returnTo=/projects', 200, crossSite],
  ];
  const afterConsent: Case[] = [
    ['feature page', '/projects', 200],
    ['account page', '/account', 200],
    ['404 page', '/no-such-page', 404],
    ['400 page (bad input)', '/projects/not%20a%20project/iam', 400],
    ['403 page (cross-site POST)', '/logout', 403, { method: 'POST', ...crossSite }],
  ];
  for (const [label, path, status, init] of signedOut)
    await check(label, await anonymous.request(url(path), init), status);
  for (const [label, path, status, init] of beforeConsent)
    await check(label, await alice.request(url(path), init), status);
  await stack.grant(alice, 'projects');
  for (const [label, path, status, init] of afterConsent)
    await check(label, await alice.request(url(path), init), status);
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
