import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  Keyring,
  TokenCryptoError,
  generateKeySpec,
  needsReencrypt,
  openJson,
  parseKeyring,
  reseal,
  sealJson,
  type TokenCryptoErrorCode,
} from '../../src/tokens/crypto.js';

const TOKENS = {
  access_token: 'ya29.secret-access',
  refresh_token: '1//secret-refresh',
  expires_at: 1_900_000_000,
  scope: 'openid email',
};
const AAD = 'sub:100000000000000000001';

function isCode(code: TokenCryptoErrorCode | TokenCryptoErrorCode[]) {
  const codes = Array.isArray(code) ? code : [code];
  return (e: unknown): boolean => {
    assert.ok(e instanceof TokenCryptoError, `expected TokenCryptoError, got ${String(e)}`);
    assert.ok(codes.includes(e.code), `expected ${codes.join('|')}, got ${e.code}`);
    return true;
  };
}

/** Replace the i-th dot-separated part of a sealed string. */
function withPart(sealed: string, index: number, replace: (part: string) => string): string {
  const parts = sealed.split('.');
  parts[index] = replace(parts[index] ?? '');
  return parts.join('.');
}

/** Opening `sealed` with its i-th part rewritten fails with `code`. */
function assertPartRefused(
  ring: Keyring,
  sealed: string,
  index: number,
  replace: (part: string) => string,
  code: TokenCryptoErrorCode,
): void {
  assert.throws(() => openJson(ring, withPart(sealed, index, replace), AAD), isCode(code));
}

/** Flip one bit of a base64url part, keeping it canonical. */
function flipBit(part: string, byte = 0): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[byte] = (bytes[byte] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

test('generateKeySpec → parseKeyring → seal/open round trip', () => {
  const spec = generateKeySpec('k2026');
  assert.match(spec, /^k2026:[A-Za-z0-9+/]{43}=$/);
  const ring = parseKeyring(spec);
  assert.equal(ring.currentKid, 'k2026');
  const sealed = sealJson(ring, TOKENS, AAD);
  assert.match(sealed, /^v1\.k2026\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(openJson(ring, sealed, AAD), TOKENS);
  for (const value of [null, 0, 'x', [], { nested: { a: [1, 2, { b: 'ü€😀' }] } }]) {
    assert.deepEqual(openJson(ring, sealJson(ring, value, AAD), AAD), value);
  }
});

test('sealed string does not contain the plaintext, and IVs are distinct', () => {
  const ring = parseKeyring(generateKeySpec('a'));
  const ivs = new Set<string>();
  const ciphertexts = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const sealed = sealJson(ring, TOKENS, AAD);
    assert.ok(!sealed.includes('secret'));
    assert.ok(!sealed.includes(Buffer.from(JSON.stringify(TOKENS)).toString('base64url').slice(0, 12)));
    const [, , iv, ct] = sealed.split('.');
    ivs.add(iv ?? '');
    ciphertexts.add(ct ?? '');
  }
  assert.equal(ivs.size, 200);
  assert.equal(ciphertexts.size, 200);
});

test('tampering with iv, ciphertext or tag → TAMPERED', () => {
  const ring = parseKeyring(generateKeySpec('a'));
  const sealed = sealJson(ring, TOKENS, AAD);
  const alterations: Array<[number, (part: string) => string]> = [
    [2, (p) => flipBit(p)],
    [3, (p) => flipBit(p, 5)],
    [4, (p) => flipBit(p, 15)],
    // Truncated or extended ciphertext.
    [3, (p) => Buffer.from(p, 'base64url').subarray(1).toString('base64url')],
    [3, (p) => Buffer.concat([Buffer.from(p, 'base64url'), Buffer.from([0])]).toString('base64url')],
  ];
  for (const [index, replace] of alterations) assertPartRefused(ring, sealed, index, replace, 'TAMPERED');
});

test('tampering with the kid → UNKNOWN_KEY (not in ring), TAMPERED (another key of the ring) or MALFORMED (bad charset)', () => {
  const ring = parseKeyring(`${generateKeySpec('new')},${generateKeySpec('old')}`);
  const sealed = sealJson(ring, TOKENS, AAD);
  assertPartRefused(ring, sealed, 1, () => 'other', 'UNKNOWN_KEY');
  assertPartRefused(ring, sealed, 1, () => 'old', 'TAMPERED');
  assertPartRefused(ring, sealed, 1, () => 'n/w', 'MALFORMED');
  assertPartRefused(ring, sealed, 1, () => '', 'MALFORMED');
});

test('malformed sealed strings → MALFORMED, never a generic crash', () => {
  const ring = parseKeyring(generateKeySpec('a'));
  const sealed = sealJson(ring, TOKENS, AAD);
  const bad: unknown[] = [
    '',
    'garbage',
    sealed.replace(/^v1\./, 'v2.'),
    `${sealed}.extra`,
    sealed.split('.').slice(0, 4).join('.'),
    withPart(sealed, 2, (p) => p.slice(0, -2)), // iv of the wrong length
    withPart(sealed, 4, (p) => p.slice(0, -3)), // short tag
    withPart(sealed, 2, (p) => `${p.slice(0, -1)}+`), // not base64url
    withPart(sealed, 4, (p) => `${p.slice(0, -1)}${p.endsWith('A') ? 'B' : 'A'}`), // non-canonical or altered tail
    withPart(sealed, 3, () => ''),
    withPart(sealed, 3, (p) => `${p}=`),
    undefined,
    42,
  ];
  for (const value of bad) {
    assert.throws(() => openJson(ring, value as string, AAD), isCode(['MALFORMED', 'TAMPERED']), String(value));
  }
  assert.throws(() => openJson(ring, sealed.replace(/^v1\./, 'v2.'), AAD), isCode('MALFORMED'));
  assertPartRefused(ring, sealed, 2, (p) => p.slice(0, -2), 'MALFORMED');
});

test('non-canonical base64url (same bytes, different text) is refused', () => {
  const ring = parseKeyring(generateKeySpec('a'));
  const sealed = sealJson(ring, TOKENS, AAD);
  // 16-byte tag = 22 chars; the last char carries 4 data bits + 2 padding bits. Setting a padding bit keeps the bytes.
  const tag = sealed.split('.')[4] ?? '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(tag.at(-1) ?? 'A');
  const twin = `${tag.slice(0, -1)}${alphabet[last ^ 0x01]}`;
  assert.deepEqual(Buffer.from(twin, 'base64url'), Buffer.from(tag, 'base64url'));
  assertPartRefused(ring, sealed, 4, () => twin, 'MALFORMED');
});

test('unknown kid → UNKNOWN_KEY', () => {
  const sealed = sealJson(parseKeyring(generateKeySpec('gone')), TOKENS, AAD);
  assert.throws(() => openJson(parseKeyring(generateKeySpec('a')), sealed, AAD), isCode('UNKNOWN_KEY'));
});

test('wrong AAD (ciphertext moved to another session) → TAMPERED', () => {
  const ring = parseKeyring(generateKeySpec('a'));
  const sealed = sealJson(ring, TOKENS, AAD);
  assert.throws(() => openJson(ring, sealed, 'sub:100000000000000000002'), isCode('TAMPERED'));
  assert.throws(() => openJson(ring, sealed, ''), isCode('TAMPERED'));
});

test('same kid, different key bytes → TAMPERED', () => {
  const sealed = sealJson(parseKeyring(generateKeySpec('a')), TOKENS, AAD);
  assert.throws(() => openJson(parseKeyring(generateKeySpec('a')), sealed, AAD), isCode('TAMPERED'));
});

test('rotation: old values still open, need re-encryption, reseal moves them to the new key', () => {
  const oldSpec = generateKeySpec('old');
  const oldRing = parseKeyring(oldSpec);
  const sealedOld = sealJson(oldRing, TOKENS, AAD);
  assert.equal(needsReencrypt(oldRing, sealedOld), false);

  const rotated = parseKeyring(`${generateKeySpec('new')}, ${oldSpec}`);
  assert.equal(rotated.currentKid, 'new');
  assert.deepEqual(rotated.kids, ['new', 'old']);
  assert.deepEqual(openJson(rotated, sealedOld, AAD), TOKENS);
  assert.equal(needsReencrypt(rotated, sealedOld), true);

  const resealed = reseal(rotated, sealedOld, AAD);
  assert.equal(resealed.split('.')[1], 'new');
  assert.equal(needsReencrypt(rotated, resealed), false);
  assert.deepEqual(openJson(rotated, resealed, AAD), TOKENS);
});

test('rotation: once the old key is dropped, old values → UNKNOWN_KEY; reseal keeps the AAD binding', () => {
  const newSpec = generateKeySpec('new');
  const oldSpec = generateKeySpec('old');
  const sealedOld = sealJson(parseKeyring(oldSpec), TOKENS, AAD);
  const rotated = parseKeyring(`${newSpec},${oldSpec}`);
  const resealed = reseal(rotated, sealedOld, AAD);
  const newOnly = parseKeyring(newSpec);
  assert.deepEqual(openJson(newOnly, resealed, AAD), TOKENS);
  assert.throws(() => openJson(newOnly, sealedOld, AAD), isCode('UNKNOWN_KEY'));
  assert.throws(() => openJson(newOnly, resealed, 'sub:other'), isCode('TAMPERED'));
  assert.throws(() => reseal(rotated, sealedOld, 'sub:other'), isCode('TAMPERED'));
  assert.throws(() => needsReencrypt(rotated, 'nope'), isCode('MALFORMED'));
});

test('parseKeyring errors: TOKEN_KEYS_INVALID, and the message never contains key material', () => {
  const key = randomBytes(32).toString('base64');
  const short = randomBytes(16).toString('base64');
  const long = randomBytes(48).toString('base64');
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    [key, /form <kid>:<base64/], // missing kid
    [`a:${key},`, /entry 2 is empty/],
    [`a:${key},,b:${key}`, /entry 2 is empty/],
    [`:${key}`, /key id must match/],
    [`bad kid:${key}`, /key id must match/],
    [`${'k'.repeat(33)}:${key}`, /key id must match/],
    [`k.1:${key}`, /key id must match/],
    [`a:${key},a:${randomBytes(32).toString('base64')}`, /duplicate key id "a"/],
    [`a:${short}`, /decodes to 16 bytes/],
    [`a:${long}`, /decodes to 48 bytes/],
    [`a:${key.slice(0, -2)}!=`, /not base64/],
    [`a:${key}:extra`, /form <kid>:<base64/],
    ['a:', /decodes to 0 bytes|not base64/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => parseKeyring(spec),
      (e: unknown) => {
        assert.ok(e instanceof TokenCryptoError);
        assert.equal(e.code, 'TOKEN_KEYS_INVALID');
        assert.match(e.message, message, spec);
        for (const secret of [key, short, long, key.slice(0, 12), short.slice(0, 12), long.slice(0, 12)]) {
          assert.ok(!e.message.includes(secret), `message leaks key material: ${e.message}`);
        }
        return true;
      },
    );
  }
});

test('parseKeyring accepts whitespace around entries and base64url keys', () => {
  const bytes = randomBytes(32);
  const ring = parseKeyring(` a:${bytes.toString('base64')} ,\n b:${bytes.toString('base64url')} `);
  assert.deepEqual(ring.kids, ['a', 'b']);
  // Same bytes under both kids: a value sealed under "a" opens if relabelled? No: the kid is in the AAD.
  const sealed = sealJson(ring, TOKENS, AAD);
  assertPartRefused(ring, sealed, 1, () => 'b', 'TAMPERED');
});

test('the keyring never shows key material (JSON, inspect)', () => {
  const spec = generateKeySpec('a');
  const encoded = spec.slice(2);
  const ring = parseKeyring(spec);
  assert.ok(ring instanceof Keyring);
  assert.deepEqual(JSON.parse(JSON.stringify(ring)), { currentKid: 'a', kids: ['a'] });
  assert.ok(!inspect(ring, { showHidden: true, depth: 10 }).includes(encoded));
  assert.ok(
    !inspect(ring, { showHidden: true, depth: 10 }).includes(
      Buffer.from(encoded, 'base64').toString('hex').slice(0, 16),
    ),
  );
});

test('generateKeySpec refuses bad kids; sealJson refuses values JSON cannot carry', () => {
  assert.throws(() => generateKeySpec('a:b'), isCode('TOKEN_KEYS_INVALID'));
  assert.throws(() => generateKeySpec(''), isCode('TOKEN_KEYS_INVALID'));
  const ring = parseKeyring(generateKeySpec('a'));
  assert.throws(() => sealJson(ring, undefined, AAD), isCode('UNSERIALIZABLE'));
  assert.throws(() => sealJson(ring, () => 1, AAD), isCode('UNSERIALIZABLE'));
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.throws(() => sealJson(ring, cyclic, AAD), isCode('UNSERIALIZABLE'));
  assert.throws(() => sealJson(ring, 10n, AAD), isCode('UNSERIALIZABLE'));
});
