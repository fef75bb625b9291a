// Every route that takes returnTo, signed in and signed out, against the dot-segment family of open
// redirects: the Location header Scopewise sends must stay on Scopewise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack } from '../support/stack.js';
import { TestBrowser } from '../support/browser.js';
import { DOT_SEGMENT_ATTACKS } from '../support/attacks.js';

const stack = useStack();

/** A Location that a browser would resolve to another origin. */
function leavesSite(location: string | null): boolean {
  if (location === null) return false;
  return new URL(location, stack.baseUrl).origin !== new URL(stack.baseUrl).origin;
}

test('/login signed out: the callback never redirects off-site', async () => {
  for (const evil of DOT_SEGMENT_ATTACKS) {
    await stack.control('settings', { autoApprove: { email: 'alice@example.com' } });
    const b = new TestBrowser();
    const start = await b.request(`${stack.baseUrl}/login?returnTo=${encodeURIComponent(evil)}`);
    assert.equal(start.status, 303);
    const atMock = await b.request(start.headers.get('location')!);
    const cb = await b.request(atMock.headers.get('location')!);
    assert.equal(cb.status, 303, evil);
    assert.equal(cb.headers.get('location'), '/', `callback for ${evil}`);
  }
});

test('/login signed in: the immediate redirect never leaves the site', async () => {
  const b = await stack.signIn();
  for (const evil of DOT_SEGMENT_ATTACKS) {
    const res = await b.request(`${stack.baseUrl}/login?returnTo=${encodeURIComponent(evil)}`);
    assert.equal(res.status, 303);
    assert.ok(!leavesSite(res.headers.get('location')), `${evil} → ${res.headers.get('location')}`);
    assert.equal(res.headers.get('location'), '/');
  }
});

test('/consent/<feature> for a ready feature never redirects off-site', async () => {
  const b = await stack.signIn();
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod')).status, 200);
  for (const evil of DOT_SEGMENT_ATTACKS) {
    const res = await b.request(`${stack.baseUrl}/consent/vms?returnTo=${encodeURIComponent(evil)}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/', evil);
  }
});

test('/consent/<feature> signed out is refused before any redirect', async () => {
  const b = new TestBrowser();
  for (const evil of DOT_SEGMENT_ATTACKS.slice(0, 3)) {
    const res = await b.request(`${stack.baseUrl}/consent/vms?returnTo=${encodeURIComponent(evil)}`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('location'), null);
  }
});

test('a consent that completes redirects back locally, never off-site', async () => {
  let b = await stack.signIn();
  for (const evil of DOT_SEGMENT_ATTACKS.slice(0, 4)) {
    await stack.control('settings', { autoApprove: { email: 'alice@example.com' } });
    const start = await b.request(`${stack.baseUrl}/consent/logs?returnTo=${encodeURIComponent(evil)}`);
    assert.equal(start.status, 303);
    const atMock = await b.request(start.headers.get('location')!);
    assert.equal(atMock.status, 302, `mock answered ${atMock.status} for ${evil}`);
    const cb = await b.request(atMock.headers.get('location')!);
    assert.equal(cb.status, 303);
    assert.equal(cb.headers.get('location'), '/', evil);
    // Signed in again from scratch, so that the next consent asks Google again.
    await stack.control('reset', {});
    b = await stack.signIn();
  }
});
