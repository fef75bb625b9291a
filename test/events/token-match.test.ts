// Google names a revoked refresh token by its first 16 characters or by base64(SHA-512(SHA-512(token))).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { doubleSha512, tokenIdentifierFor, tokenIdentifierMatches } from '../../src/events/token-match.js';

// Shaped like Google refresh tokens (1//0… with URL-safe base64 characters), not real ones.
const TOKEN = '1//0gLf7c3wz1mPQCgYIARAAGBASNwF-L9IrV8Xz2yQk1hTt5Rk4nN3pUu0dVqWc6oYxJbPZ7sGh2lEaMfKiD9rTyU4wBvNj5q0';
const OTHER = '1//0eHq2Zk8vR3mPQCgYIARAAGA4SNwF-L9IrK0dWq7ZyTu1mBv5Xs8NcE3hGfJ2pLo9aQiRwYtUe6nS4kDxMb0VjC7zH1gF';

describe('token identifiers', () => {
  it('the double hash is SHA-512 over the raw SHA-512 digest, in standard base64 with padding', () => {
    const inner = createHash('sha512').update(TOKEN, 'utf8').digest();
    const expected = createHash('sha512').update(inner).digest('base64');
    assert.equal(tokenIdentifierFor(TOKEN, 'hash_base64_sha512_sha512').value, expected);
    assert.equal(expected.length, 88);
    assert.ok(expected.endsWith('=='));
    assert.notEqual(
      expected,
      createHash('sha512').update(createHash('sha512').update(TOKEN).digest('hex')).digest('base64'),
      'not the hash of the hex string',
    );
    assert.equal(doubleSha512(TOKEN).length, 64);
  });

  it('hash: matches its token only; base64url or unpadded spellings of the same bytes match too', () => {
    const id = tokenIdentifierFor(TOKEN, 'hash_base64_sha512_sha512');
    assert.ok(tokenIdentifierMatches(TOKEN, id));
    assert.ok(!tokenIdentifierMatches(OTHER, id));
    assert.ok(!tokenIdentifierMatches(`${TOKEN} `, id));
    const url = doubleSha512(TOKEN).toString('base64url');
    assert.ok(tokenIdentifierMatches(TOKEN, { alg: 'hash_base64_sha512_sha512', value: url }));
    assert.ok(tokenIdentifierMatches(TOKEN, { alg: 'hash_base64_sha512_sha512', value: id.value.replace(/=+$/, '') }));
  });

  it('hash: garbage, a single SHA-512, or a hash of the wrong length never matches', () => {
    for (const value of [
      '',
      'not base64!',
      createHash('sha512').update(TOKEN).digest('base64'),
      createHash('sha256').update(TOKEN).digest('base64'),
    ]) {
      assert.ok(!tokenIdentifierMatches(TOKEN, { alg: 'hash_base64_sha512_sha512', value }), value);
    }
  });

  it('prefix: the first 16 characters, exactly', () => {
    assert.equal(tokenIdentifierFor(TOKEN, 'prefix').value, '1//0gLf7c3wz1mPQ');
    assert.ok(tokenIdentifierMatches(TOKEN, { alg: 'prefix', value: '1//0gLf7c3wz1mPQ' }));
    assert.ok(!tokenIdentifierMatches(OTHER, { alg: 'prefix', value: '1//0gLf7c3wz1mPQ' }));
    assert.ok(
      !tokenIdentifierMatches(TOKEN, { alg: 'prefix', value: '1//0gLf7c3wz1mP' }),
      '15 characters do not count',
    );
    assert.ok(
      !tokenIdentifierMatches(TOKEN, { alg: 'prefix', value: '1//0gLf7c3wz1mPQC' }),
      '17 characters do not count',
    );
    assert.ok(!tokenIdentifierMatches('1//0gLf7c3', { alg: 'prefix', value: '1//0gLf7c3wz1mPQ' }), 'a shorter token');
    assert.ok(!tokenIdentifierMatches('', { alg: 'prefix', value: '' }));
  });
});
