// On Redis a session's token record is read in the same round trip as the session; the early read is used
// once, only while young, and never lets an older record win over a newer write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createClient } from 'redis';
import { RedisTokenStore } from '../../src/tokens/token-store.js';
import { REDIS_URL, redisUnavailable } from './redis-available.js';

const skip = await redisUnavailable();
const rec = (scopes: string[]) => ({ sub: '1', scopes, sealed: 'v1.k.iv.ct.tag' });

test('a prefetched record is what get returns, once; a later get reads again', { skip }, async () => {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const prefix = `scopewise:test-prefetch:${crypto.randomUUID()}:`;
  const store = new RedisTokenStore(client as never, prefix);
  try {
    await store.compareAndSet('s1', 0, rec(['a']), 60_000);
    store.prefetch('s1');
    await store.compareAndSet('s1', 1, rec(['b']), 60_000); // written after the early read was sent
    const early = await store.get('s1');
    assert.deepEqual([early?.version, early?.scopes], [1, ['a']], 'the early read is a snapshot of its moment');
    const later = await store.get('s1');
    assert.deepEqual([later?.version, later?.scopes], [2, ['b']], 'used once: the next get reads the store');
    // The version fence still holds: a write based on the early snapshot is refused.
    assert.equal(await store.compareAndSet('s1', early!.version, rec(['stale']), 60_000), null);
    // An absent record prefetches as absent.
    store.prefetch('nobody');
    assert.equal(await store.get('nobody'), null);
  } finally {
    for (const key of await client.keys(`${prefix}*`)) await client.del(key);
    await client.close();
  }
});
