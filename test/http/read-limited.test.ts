// Reading an upstream's body up to a byte limit: the declared length and the bytes that actually arrive both
// count, the limit itself is allowed, and a refused body's stream is cancelled (the connection is not drained).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readBodyLimited } from '../../src/http/read-limited.js';

/** A response streaming `chunks`; `cancelled` tells whether the reader gave up on it. */
function streamed(chunks: readonly string[], headers: Record<string, string> = {}) {
  const state = { cancelled: false, pulled: 0 };
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next) {
        state.pulled++;
        controller.enqueue(next);
      } else controller.close();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body, { headers }), state };
}

describe('readBodyLimited', () => {
  it('returns every chunk, in order, up to and including the limit', async () => {
    const { response, state } = streamed(['ab', 'cd', 'ef']);
    assert.equal((await readBodyLimited(response, 6))?.toString(), 'abcdef');
    assert.equal(state.cancelled, false);
  });

  it('one byte over the limit while streaming: undefined, and the stream is cancelled', async () => {
    const { response, state } = streamed(['ab', 'cd', 'efg', 'never read']);
    assert.equal(await readBodyLimited(response, 6), undefined);
    assert.equal(state.cancelled, true);
    assert.equal(state.pulled, 3, 'nothing read past the chunk that crossed the limit');
  });

  it('a declared Content-Length over the limit is refused before reading anything', async () => {
    const { response, state } = streamed(['abc'], { 'content-length': '7' });
    assert.equal(await readBodyLimited(response, 6), undefined);
    assert.equal(state.cancelled, true);
    assert.equal(state.pulled, 0);
  });

  it('a declared Content-Length of several digits over the limit is refused too', async () => {
    const { response, state } = streamed(['abc'], { 'content-length': '1000000' });
    assert.equal(await readBodyLimited(response, 6), undefined);
    assert.equal(state.pulled, 0);
  });

  it('a response without a body that declares a large length: undefined, no crash', async () => {
    assert.equal(await readBodyLimited(new Response(null, { headers: { 'content-length': '1000' } }), 6), undefined);
  });

  it('a declared Content-Length equal to the limit is read', async () => {
    const { response } = streamed(['abcdef'], { 'content-length': '6' });
    assert.equal((await readBodyLimited(response, 6))?.toString(), 'abcdef');
  });

  it('a Content-Length that is not a number is not trusted: the bytes are counted', async () => {
    for (const declared of ['1e9', '-1', '0x10']) {
      const small = streamed(['abc'], { 'content-length': declared });
      assert.equal((await readBodyLimited(small.response, 6))?.toString(), 'abc', declared);
      const big = streamed(['abcdefg'], { 'content-length': declared });
      assert.equal(await readBodyLimited(big.response, 6), undefined, declared);
    }
  });

  it('no body: an empty buffer', async () => {
    const body = await readBodyLimited(new Response(null, { status: 204 }), 6);
    assert.ok(Buffer.isBuffer(body));
    assert.equal(body.length, 0);
  });
});
