// The mock's new fidelity knobs at the protocol level: clock, refresh-token cap, Testing status, prompt=none.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MockGoogle } from '../../mock-google/server.js';
import {
  api,
  authorizeUrl,
  mockControl,
  mockControlStatus,
  getTokens,
  S,
  startMock,
  tokenRequest,
} from '../support/mock.js';

let mock: MockGoogle;
before(async () => {
  mock = await startMock();
});
beforeEach(() => mockControl(mock, 'reset', {}));
after(() => mock.close());

const C = 'compute.googleapis.com/compute/v1';
const offline = { access_type: 'offline', prompt: 'consent' };
const refresh = (rt: string) => tokenRequest(mock, { grant_type: 'refresh_token', refresh_token: rt });

describe('clock', () => {
  it('moving it past the access-token lifetime expires the token', async () => {
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}` });
    assert.equal((await api(mock, `${C}/projects/acme-prod/aggregated/instances`, tokens.access_token)).status, 200);
    const r = await mockControl(mock, 'clock', { advanceSeconds: 3601 });
    assert.equal(r.offsetSeconds, 3601);
    assert.equal((await api(mock, `${C}/projects/acme-prod/aggregated/instances`, tokens.access_token)).status, 401);
  });
  it('refuses a negative or huge move', async () => {
    assert.equal(await mockControlStatus(mock, 'clock', { advanceSeconds: -5 }), 400);
  });
});

describe('refresh-token cap', () => {
  it('issuing one more than the cap silently invalidates the oldest', async () => {
    await mockControl(mock, 'settings', { refreshTokenCap: 2 });
    const rts: string[] = [];
    for (let i = 0; i < 3; i++)
      rts.push(
        (await getTokens(mock, { scope: `openid ${S.computeRead}`, extra: offline })).tokens.refresh_token ?? '',
      );
    assert.equal((await refresh(rts[0]!)).status, 400, 'the oldest is gone');
    assert.equal((await refresh(rts[1]!)).status, 200);
    assert.equal((await refresh(rts[2]!)).status, 200);
    assert.equal((await mockControl(mock, 'grants?email=alice@example.com')).refreshTokens, 2);
  });
  it("defaults to Google's 100", async () => {
    assert.equal((await mockControl(mock, 'settings')).refreshTokenCap, 100);
  });
});

describe('Testing publishing status', () => {
  it('refresh tokens expire after 7 days, with invalid_grant', async () => {
    await mockControl(mock, 'settings', { publishingStatus: 'testing' });
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}`, extra: offline });
    await mockControl(mock, 'clock', { advanceSeconds: 7 * 24 * 3600 - 60 });
    assert.equal((await refresh(tokens.refresh_token ?? '')).status, 200);
    await mockControl(mock, 'clock', { advanceSeconds: 120 });
    const res = await refresh(tokens.refresh_token ?? '');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });
  it('production refresh tokens do not expire', async () => {
    const { tokens } = await getTokens(mock, { scope: `openid ${S.computeRead}`, extra: offline });
    await mockControl(mock, 'clock', { advanceSeconds: 30 * 24 * 3600 });
    assert.equal((await refresh(tokens.refresh_token ?? '')).status, 200);
  });
});

describe('prompt=none errors', () => {
  for (const error of ['interaction_required', 'consent_required', 'login_required', 'account_selection_required']) {
    it(`${error} when told to`, async () => {
      await mockControl(mock, 'settings', { promptNoneError: error });
      const res = await fetch(
        authorizeUrl(mock, { scope: 'openid', prompt: 'none', login_hint: 'alice@example.com' }),
        { redirect: 'manual' },
      );
      assert.equal(new URL(res.headers.get('location') ?? '').searchParams.get('error'), error);
    });
  }
  it('an unknown value is refused', async () => {
    assert.equal(await mockControlStatus(mock, 'settings', { promptNoneError: 'nope' }), 400);
  });
});
