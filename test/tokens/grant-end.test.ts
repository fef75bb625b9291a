// Time-based access in the token set: the grant's end from refresh_token_expires_in, kept across refreshes
// that omit it, and the state the pages show.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyTokenResponse,
  ENDS_SOON_MS,
  grantEndsAt,
  grantEndState,
  type TokenSet,
} from '../../src/tokens/token-set.js';

const T0 = Date.UTC(2026, 4, 17, 9, 0, 0);
const HOUR = 3_600_000;

describe('grant end (time-based access)', () => {
  it('refresh_token_expires_in becomes an absolute end; a refresh that omits it keeps it', () => {
    const first = applyTokenResponse(
      undefined,
      { access_token: 'a1', expires_in: 3600, refresh_token: 'r1', refresh_token_expires_in: 86_400 },
      [],
      T0,
    );
    assert.equal(first.refreshTokenExpiresAt, T0 + 24 * HOUR);
    const refreshed = applyTokenResponse(first, { access_token: 'a2', expires_in: 3600 }, [], T0 + 2 * HOUR);
    assert.equal(refreshed.refreshTokenExpiresAt, T0 + 24 * HOUR);
    assert.equal(refreshed.refreshToken, 'r1');
  });

  it('a refresh that carries it (counting down) updates it', () => {
    const first = applyTokenResponse(
      undefined,
      { access_token: 'a1', refresh_token: 'r1', refresh_token_expires_in: 86_400 },
      [],
      T0,
    );
    const later = applyTokenResponse(
      first,
      { access_token: 'a2', refresh_token_expires_in: 79_200 },
      [],
      T0 + 2 * HOUR,
    );
    assert.equal(later.refreshTokenExpiresAt, T0 + 24 * HOUR);
  });

  it('a new refresh token without it is a new, open-ended grant; no refresh token at all is open-ended', () => {
    const limited = applyTokenResponse(
      undefined,
      { access_token: 'a1', refresh_token: 'r1', refresh_token_expires_in: 3600 },
      [],
      T0,
    );
    const regranted = applyTokenResponse(limited, { access_token: 'a2', refresh_token: 'r2' }, [], T0 + 10);
    assert.equal(regranted.refreshTokenExpiresAt, undefined);
    assert.equal('refreshTokenExpiresAt' in regranted, false, 'absent, not undefined, so sealed records stay small');
    assert.equal(grantEndState(applyTokenResponse(undefined, { access_token: 'a' }, [], T0), T0), 'open-ended');
  });

  it('a nonsense value is ignored', () => {
    for (const v of [-5, Number.NaN, Number.POSITIVE_INFINITY, '3600' as unknown as number]) {
      assert.equal(
        applyTokenResponse(undefined, { access_token: 'a', refresh_token: 'r', refresh_token_expires_in: v }, [], T0)
          .refreshTokenExpiresAt,
        undefined,
        String(v),
      );
    }
  });

  it('grantEndState: active-until, ends-soon within a day, ended at the end', () => {
    const set: Pick<TokenSet, 'refreshTokenExpiresAt'> = { refreshTokenExpiresAt: T0 + 7 * 24 * HOUR };
    assert.equal(grantEndsAt(set), T0 + 7 * 24 * HOUR);
    assert.equal(grantEndState(set, T0), 'active-until');
    assert.equal(grantEndState(set, T0 + 6 * 24 * HOUR - 1), 'active-until');
    assert.equal(grantEndState(set, T0 + 7 * 24 * HOUR - ENDS_SOON_MS), 'ends-soon');
    assert.equal(grantEndState(set, T0 + 7 * 24 * HOUR - 1), 'ends-soon');
    assert.equal(grantEndState(set, T0 + 7 * 24 * HOUR), 'ended');
    assert.equal(grantEndState(undefined, T0), 'open-ended');
    assert.equal(grantEndsAt(undefined), undefined);
  });
});
