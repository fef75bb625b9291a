// Google shows per-scope checkboxes only when more than one non-sign-in scope is asked; with one, Allow or
// Cancel. Scopewise's reaction: one click on Allow makes the feature ready; Cancel leaves it asking, calmly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { AUTH as A, ALICE } from '../support/index.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack.close());

test('one scope asked (logs): no checkbox, Allow grants it and the feature works', async () => {
  const b = await stack.signIn(ALICE);
  const html = await stack.mockPage(b, '/consent/logs?returnTo=%2Flogs%3Fproject%3Dacme-prod');
  assert.doesNotMatch(html, /type="checkbox"/, 'no per-scope checkbox for a single scope');
  assert.match(html, />Allow<\/button>/);
  assert.match(html, />Cancel<\/button>/);
  assert.match(html, new RegExp(`<code>${A}logging\\.read</code>`));
  const landed = await stack.answerConsent(b, html, 'allow');
  assert.equal(landed.status, 200);
  const grants = (await stack.control(`grants?email=${encodeURIComponent(ALICE)}`)) as { scopes: string[] };
  assert.ok(grants.scopes.includes(`${A}logging.read`));
  const logs = await stack.follow(b, '/logs?project=acme-prod');
  assert.equal(logs.status, 200);
  assert.doesNotMatch(logs.html, /Grant access at Google/);
});

test('one scope asked, Cancel: a clear 4xx page, nothing granted, no error page', async () => {
  const b = await stack.signIn('bob@example.com');
  await stack.control('settings', { autoApprove: null });
  const res = await b.follow(`${stack.baseUrl}/consent/buckets?returnTo=%2Fbuckets`);
  const html = await res.text();
  assert.doesNotMatch(html, /type="checkbox"/);
  const landed = await stack.answerConsent(b, html, 'cancel');
  assert.ok(landed.status >= 400 && landed.status < 500, `status ${landed.status}`);
  assert.match(landed.html, /Access was not granted/);
});

test('two non-sign-in scopes asked: a checkbox each (the mock, as Google)', async () => {
  const { hiddenInput } = await import('../support/browser.js');
  const u = new URL('/o/oauth2/v2/auth', stack.mockUrl);
  for (const [k, v] of Object.entries({
    client_id: 'scopewise-test',
    redirect_uri: `${stack.baseUrl}/auth/callback`,
    response_type: 'code',
    scope: `openid ${A}logging.read ${A}devstorage.read_only`,
    login_hint: ALICE,
    prompt: 'consent',
  }))
    u.searchParams.set(k, v);
  await stack.control('settings', { autoApprove: null });
  const html = await (await fetch(u)).text();
  assert.equal((html.match(/type="checkbox"/g) ?? []).length, 2);
  assert.ok(hiddenInput(html, 'pending'));
});
