// Reads a fetch response's body up to a byte limit: an upstream (identity provider, Google API) must not
// make the app buffer an unbounded body. Shared by the OIDC client's fetch and the Google API client.

/** The body's bytes, or undefined when it is larger than `limit` (the stream is then cancelled). */
export async function readBodyLimited(response: Response, limit: number): Promise<Buffer<ArrayBuffer> | undefined> {
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
