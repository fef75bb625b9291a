// Each event type → the events parsed from a SET → the planned reaction, and what the executor does with it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SetError } from '../../src/events/errors.js';
import { accountActionsFrom, executeReaction, type SessionOperations } from '../../src/events/execute.js';
import { parseEvents } from '../../src/events/parse-events.js';
import { planReaction } from '../../src/events/plan.js';
import { MemoryAccountState } from '../../src/storage/account-events/account-state.js';
import { tokenIdentifierFor } from '../../src/events/token-match.js';
import { RISC_EVENT_URIS, type RiscEvent } from '../../src/events/types.js';
import type { VerifiedSet } from '../../src/events/verify-set.js';
import { ALICE, auditLog, OIDC_ISSUER, RISC_ISSUER, spyAccounts, subjectEvent, tokenRevokedEvent } from './helpers.js';

const IAT = 1_790_000_000;
const AT = IAT * 1000;
const set = (events: Record<string, unknown>, iat = IAT): VerifiedSet => ({
  iss: RISC_ISSUER,
  aud: ['c'],
  iat,
  jti: 'j1',
  events: events as VerifiedSet['events'],
});
const parse = (events: Record<string, unknown>, iat = IAT) =>
  parseEvents(set(events, iat), { subjectIssuers: [OIDC_ISSUER] });
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
const REFRESH = '1//0gLf7c3wz1mPQCgYIARAAGBASNwF-L9IrV8Xz2yQk1hTt5Rk4nN3pUu0dVqWc6oYxJbPZ7sGh2lEaMfKiD9rTyU4wBvNj5q0';

describe('parse events (subject formats, issuers, token identifiers)', () => {
  it('iss-sub and id_token_claims subjects name our user; the issuer compares without a trailing slash', () => {
    const [a] = parse(subjectEvent('sessions-revoked'));
    assert.deepEqual(a, { name: 'sessions-revoked', uri: RISC_EVENT_URIS['sessions-revoked'], at: AT, sub: ALICE });
    const [b] = parse({
      [RISC_EVENT_URIS['account-enabled']]: {
        subject: { subject_type: 'id_token_claims', iss: OIDC_ISSUER, sub: ALICE, email: 'alice@example.com' },
      },
    });
    assert.equal(b?.name, 'account-enabled');
  });

  it('a subject from another issuer, or without a sub (email only), is ignored, not acted on', () => {
    const [a] = parse({
      [RISC_EVENT_URIS['sessions-revoked']]: {
        subject: { subject_type: 'iss-sub', iss: 'https://other.example/', sub: ALICE },
      },
    });
    assert.deepEqual(a && a.name === 'ignored' && a.why, 'foreign-subject-issuer');
    const [b] = parse({
      [RISC_EVENT_URIS['sessions-revoked']]: { subject: { subject_type: 'email', email: 'alice@example.com' } },
    });
    assert.deepEqual(b && b.name === 'ignored' && b.why, 'subject-without-sub');
  });

  it('an unknown event type is kept as ignored (acknowledged so it is not redelivered)', () => {
    const [a] = parse({ 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': { subject: {} } });
    assert.equal(a?.name === 'ignored' && a.why, 'unknown-event-type');
  });

  it('token-revoked: prefix and double-hash identifiers; other token types and algorithms are ignored', () => {
    const [p] = parse(tokenRevokedEvent('prefix', REFRESH.slice(0, 16)));
    assert.deepEqual(p && p.name === 'token-revoked' && p.token, { alg: 'prefix', value: REFRESH.slice(0, 16) });
    const hash = tokenIdentifierFor(REFRESH, 'hash_base64_sha512_sha512');
    const [h] = parse(tokenRevokedEvent(hash.alg, hash.value));
    assert.deepEqual(h && h.name === 'token-revoked' && h.token, hash);
    const [a] = parse(tokenRevokedEvent('prefix', 'ya29.a0AfH6SMBx', 'access_token'));
    assert.equal(a?.name === 'ignored' && a.why, 'unsupported-token-identifier');
    const [b] = parse(tokenRevokedEvent('hash_sha256', 'abc'));
    assert.equal(b?.name === 'ignored' && b.why, 'unsupported-token-identifier');
  });

  it('account-disabled keeps its reason; verification keeps its state; the event time is the SET iat', () => {
    const [d] = parse(subjectEvent('account-disabled', { reason: 'hijacking' }));
    assert.deepEqual(d, {
      name: 'account-disabled',
      uri: RISC_EVENT_URIS['account-disabled'],
      at: AT,
      sub: ALICE,
      reason: 'hijacking',
    });
    const [v] = parse({ [RISC_EVENT_URIS.verification]: { state: 'scopewise-verify-1' } });
    assert.deepEqual(v, {
      name: 'verification',
      uri: RISC_EVENT_URIS.verification,
      at: AT,
      state: 'scopewise-verify-1',
    });
  });

  it('a sub with control characters is refused as invalid (not ignored)', () => {
    assert.throws(
      () => parse(subjectEvent('sessions-revoked', {}, 'a\nb')),
      (e: unknown) => e instanceof SetError && e.code === 'SET_EVENT_INVALID',
    );
  });
});

describe('planReaction: every event type', () => {
  const ev = (e: DistributiveOmit<RiscEvent, 'uri' | 'at'>): RiscEvent => ({ uri: 'u', at: AT, ...e }) as RiscEvent;
  const token = { alg: 'prefix' as const, value: REFRESH.slice(0, 16) };

  it('maps each event to its actions', () => {
    assert.deepEqual(planReaction(ev({ name: 'sessions-revoked', sub: ALICE })), [
      { kind: 'end-sessions', sub: ALICE },
    ]);
    assert.deepEqual(planReaction(ev({ name: 'tokens-revoked', sub: ALICE })), [
      { kind: 'drop-refresh-tokens', sub: ALICE },
    ]);
    assert.deepEqual(planReaction(ev({ name: 'token-revoked', token })), [{ kind: 'drop-token', token }]);
    assert.deepEqual(planReaction(ev({ name: 'account-disabled', sub: ALICE, reason: 'bulk-account' })), [
      { kind: 'block-sign-in', sub: ALICE, reason: 'bulk-account' },
      { kind: 'end-sessions', sub: ALICE },
    ]);
    assert.deepEqual(planReaction(ev({ name: 'account-disabled', sub: ALICE })), [
      { kind: 'block-sign-in', sub: ALICE, reason: 'unspecified' },
      { kind: 'end-sessions', sub: ALICE },
    ]);
    assert.deepEqual(planReaction(ev({ name: 'account-enabled', sub: ALICE })), [
      { kind: 'unblock-sign-in', sub: ALICE },
    ]);
    assert.deepEqual(planReaction(ev({ name: 'account-credential-change-required', sub: ALICE })), [
      { kind: 'flag-credential-change', sub: ALICE },
    ]);
    assert.deepEqual(planReaction(ev({ name: 'verification', state: 's' })), [
      { kind: 'log-verification', state: 's' },
    ]);
    assert.deepEqual(planReaction(ev({ name: 'ignored', why: 'unknown-event-type' })), [
      { kind: 'ignore', why: 'unknown-event-type', uri: 'u' },
    ]);
  });

  it('account-disabled blocks sign-in before ending sessions (a racing sign-in sees one or the other)', () => {
    const kinds = planReaction(ev({ name: 'account-disabled', sub: ALICE, reason: 'hijacking' })).map((a) => a.kind);
    assert.deepEqual(kinds, ['block-sign-in', 'end-sessions']);
  });

  it('tokens-revoked can end sessions instead (RISC_TOKENS_REVOKED=end-sessions)', () => {
    assert.deepEqual(planReaction(ev({ name: 'tokens-revoked', sub: ALICE }), { tokensRevoked: 'end-sessions' }), [
      { kind: 'end-sessions', sub: ALICE },
    ]);
  });
});

describe('executeReaction: effects on the stores, one audit event per action', () => {
  function fakeSessions() {
    const sessions = new Map<string, { sub: string; refresh?: string }>([
      ['s1', { sub: ALICE, refresh: REFRESH }],
      ['s2', { sub: ALICE, refresh: `${REFRESH}x` }],
      ['s3', { sub: 'bob', refresh: '1//0bob-token-aaaaaaaaaaaaaaaaaaa' }],
    ]);
    const ops: SessionOperations = {
      async endSessions(sub) {
        let n = 0;
        for (const [id, s] of sessions) if (s.sub === sub && sessions.delete(id)) n++;
        return n;
      },
      async dropRefreshTokens(sub) {
        let n = 0;
        for (const s of sessions.values()) if (s.sub === sub && s.refresh && delete s.refresh) n++;
        return n;
      },
      async dropMatchingRefreshToken(matcher) {
        let n = 0;
        for (const s of sessions.values()) if (s.refresh && matcher.matches(s.refresh) && delete s.refresh) n++;
        return n;
      },
    };
    return { sessions, ops };
  }

  async function run(events: Record<string, unknown>, state = new MemoryAccountState(), iat = IAT) {
    const { sessions, ops } = fakeSessions();
    const log = auditLog();
    const accounts = accountActionsFrom({ sessions: ops, blocks: state, credentialChanges: state });
    for (const e of parse(events, iat))
      await executeReaction(planReaction(e), { jti: 'j1', at: e.at, event: e.name }, { accounts, audit: log.audit });
    return { sessions, state, log };
  }

  it('sessions-revoked: every session of the user ends, others stay', async () => {
    const { sessions, log } = await run(subjectEvent('sessions-revoked'));
    assert.deepEqual([...sessions.keys()], ['s3']);
    assert.deepEqual(log.lines, [
      {
        event: 'risc-sessions-ended',
        fields: {
          jti: 'j1',
          riscEvent: 'sessions-revoked',
          sub: ALICE,
          sessions: 2,
          signedInBefore: new Date(AT + 999).toISOString(),
        },
      },
    ]);
  });

  it('tokens-revoked: the user’s refresh tokens go, sessions stay', async () => {
    const { sessions, log } = await run(subjectEvent('tokens-revoked'));
    assert.equal(sessions.size, 3);
    assert.equal(sessions.get('s1')?.refresh, undefined);
    assert.equal(sessions.get('s2')?.refresh, undefined);
    assert.ok(sessions.get('s3')?.refresh);
    assert.equal(log.lines[0]?.event, 'risc-refresh-tokens-dropped');
    assert.equal(log.lines[0]?.fields['tokens'], 2);
  });

  it('token-revoked: only the matching refresh token goes (prefix and hash), and the identifier is never logged', async () => {
    for (const alg of ['prefix', 'hash_base64_sha512_sha512'] as const) {
      const id = tokenIdentifierFor(`${REFRESH}x`, alg);
      const { sessions, log } = await run(tokenRevokedEvent(id.alg, id.value));
      if (alg === 'prefix') {
        // Both of Alice's tokens share their first 16 characters: a prefix names both (Google's own limit).
        assert.equal(sessions.get('s1')?.refresh, undefined);
      } else assert.equal(sessions.get('s1')?.refresh, REFRESH, 'the hash names exactly one token');
      assert.equal(sessions.get('s2')?.refresh, undefined);
      assert.ok(sessions.get('s3')?.refresh);
      assert.equal(log.lines[0]?.event, 'risc-refresh-token-dropped');
      assert.ok(!JSON.stringify(log.lines).includes(id.value), 'identifier not in the audit');
    }
  });

  it('account-disabled: blocked with its reason, sessions ended; account-enabled lifts the block', async () => {
    const state = new MemoryAccountState();
    const { sessions, log } = await run(subjectEvent('account-disabled', { reason: 'hijacking' }), state);
    assert.deepEqual([...sessions.keys()], ['s3']);
    assert.equal((await state.isBlocked(ALICE))?.reason, 'hijacking');
    assert.equal((await state.isBlocked(ALICE))?.jti, 'j1');
    assert.deepEqual(
      log.lines.map((l) => l.event),
      ['risc-sign-in-blocked', 'risc-sessions-ended'],
    );
    const sameTime = await run(subjectEvent('account-enabled'), state);
    assert.ok(await state.isBlocked(ALICE), 'an account-enabled of the same moment does not lift it (fail closed)');
    assert.equal(sameTime.log.lines[0]?.fields['applied'], false);
    const enabled = await run(subjectEvent('account-enabled'), state, IAT + 60);
    assert.equal(await state.isBlocked(ALICE), null);
    const stale = await run(subjectEvent('account-disabled', { reason: 'hijacking' }), state, IAT + 30);
    assert.equal(await state.isBlocked(ALICE), null, 'a redelivered older account-disabled does not block again');
    assert.equal(stale.log.lines[0]?.fields['applied'], false);
    assert.equal(enabled.log.lines[0]?.event, 'risc-sign-in-unblocked');
  });

  it('account-credential-change-required: flagged with the event time, sessions untouched', async () => {
    const state = new MemoryAccountState();
    const { sessions, log } = await run(subjectEvent('account-credential-change-required'), state);
    assert.equal(sessions.size, 3);
    assert.deepEqual(await state.get(ALICE), { sub: ALICE, at: AT });
    assert.equal(log.lines[0]?.event, 'risc-credential-change-flagged');
  });

  it('verification: logged with its state, nothing else', async () => {
    const { sessions, log } = await run({ [RISC_EVENT_URIS.verification]: { state: 'hello' } });
    assert.equal(sessions.size, 3);
    assert.deepEqual(log.lines, [
      { event: 'risc-verification', fields: { jti: 'j1', riscEvent: 'verification', state: 'hello' } },
    ]);
  });

  it('a failing action is audited and the others still run', async () => {
    const accounts = spyAccounts('blockSignIn');
    const log = auditLog();
    const result = await executeReaction(
      planReaction({ name: 'account-disabled', uri: 'u', at: AT, sub: ALICE }),
      { jti: 'j', at: AT, event: 'account-disabled' },
      { accounts, audit: log.audit },
    );
    assert.equal(result.ok, false);
    assert.deepEqual(
      log.lines.map((l) => l.event),
      ['risc-reaction-failed', 'risc-sessions-ended'],
    );
  });
});
