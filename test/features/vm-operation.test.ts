// A VM stop followed until Google reports it done: the operation's own page (a meta refresh without JavaScript),
// the JSON its script polls (JSON errors too), both reading with the vm-power feature's own scope.
import { test, before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { text, type RecordingBrowser } from '../support/index.js';
import { submitVmPower } from '../support/vm-power.js';
import { describeOperation, refreshAfterSeconds, vmStatusTone } from '../../src/features/pages/vm-operation.js';

const q = {
  project: 'acme-prod',
  zone: 'us-central1-a',
  instance: 'web-1',
  operation: 'operation-1',
  action: 'stop' as const,
};
const utc = { locale: 'en', timeZone: 'UTC' };
const t0 = Date.UTC(2026, 11, 2, 12);

describe('describing an operation (pure)', () => {
  it('pending: queued, the first step current, reloads soon', () => {
    const v = describeOperation(
      q,
      { op: { name: 'operation-1', status: 'PENDING', insertTime: new Date(t0).toISOString() } },
      utc,
      t0 + 1000,
    );
    assert.equal(v.statusText, 'Google has queued the stop of web-1.');
    assert.deepEqual(
      v.steps.map((s) => s.state),
      ['current', 'todo', 'todo'],
    );
    assert.equal(v.refreshSeconds, 2);
    assert.equal(v.done, false);
    assert.equal(v.startedAgo, '1 second ago');
  });
  it("running, then done with the VM's new state; no reload once done", () => {
    const running = describeOperation(
      q,
      { op: { name: 'o', status: 'RUNNING', insertTime: new Date(t0).toISOString() } },
      utc,
      t0 + 45_000,
    );
    assert.equal(running.statusText, 'Google is stopping web-1.');
    assert.equal(running.refreshSeconds, 5);
    const done = describeOperation(q, { op: { name: 'o', status: 'DONE' }, vmStatus: 'TERMINATED' }, utc, t0);
    assert.deepEqual(
      done.steps.map((s) => s.state),
      ['done', 'done', 'done'],
    );
    assert.equal(done.resultText, 'web-1 is now TERMINATED.');
    assert.equal(done.refreshSeconds, undefined);
    assert.equal(done.vmTone, 'neutral');
  });
  it('a failed operation says what Google said', () => {
    const v = describeOperation(
      q,
      { op: { name: 'o', status: 'DONE', error: { errors: [{ code: 'QUOTA', message: 'Quota exceeded' }] } } },
      utc,
      t0,
    );
    assert.equal(v.failed, true);
    assert.equal(v.statusText, 'Google could not stop web-1: Quota exceeded');
    assert.equal(v.resultText, undefined);
  });
  it('reloads less often as the operation goes on; VM states have badges', () => {
    assert.deepEqual([0, 19_999, 20_000, 59_999, 60_000, 3_600_000].map(refreshAfterSeconds), [2, 2, 5, 5, 10, 10]);
    assert.deepEqual(['RUNNING', 'STOPPING', 'TERMINATED', 'WHATEVER'].map(vmStatusTone), [
      'ok',
      'warn',
      'neutral',
      'danger',
    ]);
  });
});

let stack: Stack;
let b: RecordingBrowser;
before(async () => {
  stack = await startStack();
  await stack.control('reset', {});
  b = await stack.signIn();
});
after(async () => {
  await stack?.close();
});

const confirmPath = '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop';

test('a stop is followed on its own page until Google reports it done, then the VM is TERMINATED', async () => {
  await stack.control('operations', { pendingMs: 300, runningMs: 700 });
  assert.equal((await stack.grant(b, 'vm-power', confirmPath)).status, 200);
  const confirm = await stack.get(b, confirmPath);
  const posted = await submitVmPower(stack, b, confirm.html, 'stop');
  assert.equal(posted.status, 303);
  const location = posted.headers.get('location')!;
  const opUrl = new URL(location, stack.baseUrl);
  const api = `/api/vms/operation${opUrl.search}`;

  const running = await stack.get(b, location);
  assert.equal(running.status, 200);
  assert.match(
    running.html,
    /<noscript><meta http-equiv="refresh" content="2"><\/noscript>/,
    'reloads itself without JavaScript',
  );
  assert.match(running.html, /<script src="\/public\/vm-operation.js" defer><\/script>/);
  assert.match(running.html, new RegExp(`data-op-poll="${api.replace(/[?]/g, '\\?').replace(/&/g, '&amp;')}"`));
  assert.match(text(running.html), /Google has queued the stop of web-1\./);
  assert.match(running.html, /<li class="op-step op-step--current" aria-current="step" data-op-step>Requested<\/li>/);

  const polled = await b.request(`${stack.baseUrl}${api}`, { headers: { accept: 'application/json' } });
  assert.equal(polled.status, 200);
  const first = (await polled.json()) as { done: boolean; status: string; statusText: string };
  assert.equal(first.done, false);
  assert.ok(['PENDING', 'RUNNING'].includes(first.status));

  await new Promise((r) => setTimeout(r, 1100));
  const done = (await (await b.request(`${stack.baseUrl}${api}`)).json()) as Record<string, unknown>;
  assert.deepEqual(
    { done: done.done, status: done.status, vmStatus: done.vmStatus, resultText: done.resultText },
    { done: true, status: 'DONE', vmStatus: 'TERMINATED', resultText: 'web-1 is now TERMINATED.' },
  );
  const page = await stack.get(b, location);
  assert.doesNotMatch(page.html, /http-equiv="refresh"/, 'no reload once done');
  assert.doesNotMatch(page.html, /vm-operation\.js/);
  assert.match(text(page.html), /web-1 is now TERMINATED\./);
  assert.match(page.html, /<span class="badge badge--neutral" data-op-vm-status>TERMINATED<\/span>/);
  const counts = await stack.counts();
  assert.ok((counts['api:compute:v1:zoneOperations.get'] ?? 0) >= 4);
  assert.ok((counts['api:compute:v1:instances.get'] ?? 0) >= 2, 'the VM is read once the operation is done');
  // Reloading the operation page never sent the stop again.
  assert.equal(counts['api:compute:v1:instances.stop'], 1);
  await stack.control('operations', { pendingMs: 0, runningMs: 0 });
});

test('the JSON endpoint answers JSON, errors included', async () => {
  const api =
    '/api/vms/operation?project=acme-prod&zone=us-central1-a&instance=web-1&operation=operation-1&action=stop';
  const anonymous = await stack.browser().request(`${stack.baseUrl}${api}`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: string }).error, 'NOT_SIGNED_IN');

  const fresh = await stack.signIn('bob@example.com');
  const noGrant = await fresh.request(`${stack.baseUrl}${api}`);
  assert.equal(noGrant.status, 403);
  const body = (await noGrant.json()) as { error: string; consentUrl: string };
  assert.equal(body.error, 'NEEDS_CONSENT');
  assert.match(body.consentUrl, /^\/consent\/vm-power\?/);

  const bad = await b.request(`${stack.baseUrl}${api.replace('operation-1', 'Op%20One')}`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: string }).error, 'INVALID_INPUT');
  const unknown = await b.request(`${stack.baseUrl}${api}`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: string }).error, 'GOOGLE_NOT_FOUND');

  const page = await stack.get(b, api.replace('/api/vms/operation', '/vms/operation'));
  assert.equal(page.status, 404, 'the page says an unknown operation is not found');
});
