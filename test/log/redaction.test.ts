// Redaction hides secrets, not what operators need: the state of Google's RISC verification event (what
// `npm run risc -- verify` tells the operator to look for) and every error code stay readable, in the log and in
// the audit export, while OAuth codes, states of sign-in transactions, tokens and secrets never appear.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditRecord, REDACTED } from '../../src/audit/record.js';
import { createLogger } from '../../src/log/logger.js';
import { useStack } from '../support/stack.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe('the log keeps what operators need', () => {
  it('a top-level error code, an error’s own code and a verification state are readable', () => {
    const { logger, lines } = capture();
    logger.info({ code: 'SET_BAD_SIGNATURE', detail: 'x' }, 'risc: security event token refused');
    logger.error({ err: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }, 'failed');
    logger.info({ audit: true, event: 'risc-verification', state: 'scopewise-verify-1a2b' }, 'audit');
    assert.equal(lines[0]?.['code'], 'SET_BAD_SIGNATURE');
    assert.equal((lines[1]?.['err'] as { code?: string } | undefined)?.code, 'ECONNRESET');
    assert.equal(lines[2]?.['state'], 'scopewise-verify-1a2b');
  });

  it('OAuth parameters and tokens are still hidden wherever a call site could put them', () => {
    const secret = 'SECRET-4/0AbCdEf';
    const { logger, lines } = capture();
    logger.info({ query: { code: secret, state: secret, scope: 'openid' } }, 'callback');
    logger.info({ req: { query: { code: secret, state: secret } } }, 'nested');
    logger.info({ body: { code: secret, code_verifier: secret, refresh_token: secret } }, 'body');
    logger.info({ params: { code: secret }, authorization_code: secret, code_verifier: secret }, 'params');
    logger.info({ tokens: { access_token: secret, id_token: secret, refreshToken: secret } }, 'tokens');
    logger.info({ client_secret: secret, headers: { authorization: `Bearer ${secret}`, cookie: secret } }, 'h');
    assert.equal(lines.length, 6);
    assert.ok(!JSON.stringify(lines).includes(secret), JSON.stringify(lines));
    assert.equal((lines[0]?.['query'] as Record<string, unknown> | undefined)?.['scope'], 'openid');
  });
});

describe('the audit export keeps what operators need', () => {
  it('the verification state and the code are exported as they are; secrets are redacted', () => {
    const r = createAuditRecord('risc-verification', {
      state: 'scopewise-verify-1a2b',
      code: 'SET_MALFORMED',
      query: { code: '4/0Ab', state: 'tx-state' },
      refreshToken: '1//x',
      tokenRef: 'a-session-id',
    });
    assert.equal(r.fields['state'], 'scopewise-verify-1a2b');
    assert.equal(r.fields['code'], 'SET_MALFORMED');
    assert.deepEqual(r.fields['query'], { code: REDACTED, state: REDACTED });
    assert.equal(r.fields['refreshToken'], REDACTED);
    assert.equal(r.fields['tokenRef'], REDACTED);
  });
});

const stack = useStack();

test('through the app: the verification state and a refused token’s code are in the log, the token’s text is not', async () => {
  await stack.control('risc/stream', { url: `${stack.baseUrl}/risc` });
  const state = `scopewise-verify-${Date.now()}`;
  assert.equal(((await stack.control('risc/send', { type: 'verification', state })) as { status: number }).status, 202);
  assert.equal(stack.logs.events('risc-verification').at(-1)?.['state'], state);
  const body = 'eyJhbGciOiJub25lIn0.c2VjcmV0LWJvZHktdGV4dA.';
  const res = await fetch(`${stack.baseUrl}/risc`, {
    method: 'POST',
    headers: { 'content-type': 'application/secevent+jwt' },
    body,
  });
  assert.equal(res.status, 400);
  const refused = stack.logs.lines
    .map((l) => JSON.parse(l))
    .find((l) => l.msg === 'risc: security event token refused');
  assert.match(String(refused?.code), /^SET_/);
  assert.ok(!stack.logs.mentions(body), 'the token itself is never logged');
});
