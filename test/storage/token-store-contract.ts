// One contract for the token store of every storage backend: compare-and-set on a version (the fencing
// token), expiry, delete, listing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { TokenRecordInput, TokenStore } from '../../src/tokens/token-store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LONG = 60_000;

export const rec = (extra: Partial<TokenRecordInput> = {}): TokenRecordInput => ({
  sub: '100000000000000000001',
  scopes: ['https://www.googleapis.com/auth/compute.readonly'],
  sealed: 'v1.k1.aaaa.bbbb.cccc',
  ...extra,
});

export async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of it) out.push(r);
  return out.sort();
}

interface Subject {
  store: TokenStore;
  close(): Promise<void>;
}

export function runTokenStoreContract(name: string, open: () => Promise<Subject>, skip?: string): void {
  let subject: Subject | undefined;
  let ready: Promise<Subject> | undefined;
  const get = (): Promise<Subject> => (ready ??= open().then((s) => (subject = s)));
  after(async () => {
    await subject?.close();
  });
  let n = 0;
  const ref = () => `${name}-${process.pid}-${n++}-${crypto.randomBytes(4).toString('hex')}`;
  const t = (title: string, fn: (store: TokenStore) => Promise<void>) =>
    test(`${name}: ${title}`, skip ? { skip } : {}, async () => fn((await get()).store));

  t('an unknown ref reads as null', async (store) => {
    assert.equal(await store.get(ref()), null);
  });

  t('create with expected version 0, read back the same', async (store) => {
    const r = ref();
    const input = rec({ lost: { at: 5, reason: 'x' } });
    const written = await store.compareAndSet(r, 0, input, LONG);
    assert.deepEqual(written, { ...input, version: 1 });
    assert.deepEqual(await store.get(r), { ...input, version: 1 });
  });

  t('create refused when the record exists', async (store) => {
    const r = ref();
    assert.ok(await store.compareAndSet(r, 0, rec(), LONG));
    assert.equal(await store.compareAndSet(r, 0, rec({ scopes: ['other'] }), LONG), null);
    assert.deepEqual((await store.get(r))?.scopes, rec().scopes);
  });

  t('update from the current version; a stale or future version is refused', async (store) => {
    const r = ref();
    await store.compareAndSet(r, 0, rec(), LONG);
    const v2 = await store.compareAndSet(r, 1, rec({ sealed: 'second' }), LONG);
    assert.equal(v2?.version, 2);
    assert.equal(await store.compareAndSet(r, 1, rec({ sealed: 'stale' }), LONG), null, 'stale version');
    assert.equal(await store.compareAndSet(r, 7, rec({ sealed: 'future' }), LONG), null, 'future version');
    const back = await store.get(r);
    assert.equal(back?.version, 2);
    assert.equal(back?.sealed, 'second');
    assert.equal(await store.compareAndSet(ref(), 1, rec(), LONG), null, 'update of a missing record');
  });

  t('an update can remove fields (a lost grant has no sealed set)', async (store) => {
    const r = ref();
    await store.compareAndSet(r, 0, rec(), LONG);
    await store.compareAndSet(r, 1, { sub: rec().sub, scopes: [], lost: { at: 1, reason: 'invalid_grant' } }, LONG);
    const back = await store.get(r);
    assert.equal(back?.sealed, undefined);
    assert.deepEqual(back?.scopes, []);
    assert.deepEqual(back?.lost, { at: 1, reason: 'invalid_grant' });
  });

  t('concurrent creates and updates: exactly one writer wins each version', async (store) => {
    const r = ref();
    const creates = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.compareAndSet(r, 0, rec({ sealed: `c${i}` }), LONG)),
    );
    assert.equal(creates.filter(Boolean).length, 1);
    const updates = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.compareAndSet(r, 1, rec({ sealed: `u${i}` }), LONG)),
    );
    assert.equal(updates.filter(Boolean).length, 1);
    const winner = updates.find(Boolean)!;
    assert.equal((await store.get(r))?.sealed, winner.sealed);
  });

  t('delete removes; a new record then starts at version 1', async (store) => {
    const r = ref();
    await store.compareAndSet(r, 0, rec(), LONG);
    await store.delete(r);
    assert.equal(await store.get(r), null);
    await store.delete(r); // deleting nothing is fine
    assert.equal((await store.compareAndSet(r, 0, rec(), LONG))?.version, 1);
  });

  t('records expire after their TTL; the old version cannot update an expired record', async (store) => {
    const r = ref();
    await store.compareAndSet(r, 0, rec(), 300);
    assert.ok(await store.get(r));
    await sleep(450);
    assert.equal(await store.get(r), null);
    assert.equal(await store.compareAndSet(r, 1, rec({ sealed: 'resurrected' }), LONG), null);
    assert.equal(await store.get(r), null);
    assert.equal((await store.compareAndSet(r, 0, rec(), LONG))?.version, 1, 'created anew');
  });

  t('each write sets the TTL again', async (store) => {
    const r = ref();
    await store.compareAndSet(r, 0, rec(), 400);
    await sleep(200);
    await store.compareAndSet(r, 1, rec(), LONG);
    await sleep(350);
    assert.equal((await store.get(r))?.version, 2);
  });

  t('returned records are copies', async (store) => {
    const r = ref();
    const written = (await store.compareAndSet(r, 0, rec(), LONG))!;
    written.scopes.push('mutated');
    const read = (await store.get(r))!;
    read.scopes.push('mutated');
    assert.deepEqual((await store.get(r))?.scopes, rec().scopes);
  });

  t('refs() lists live records only', async (store) => {
    const live = [ref(), ref()];
    const gone = ref();
    const expired = ref();
    for (const r of live) await store.compareAndSet(r, 0, rec(), LONG);
    await store.compareAndSet(gone, 0, rec(), LONG);
    await store.delete(gone);
    await store.compareAndSet(expired, 0, rec(), 200);
    await sleep(300);
    const all = await collect(store.refs());
    for (const r of live) assert.ok(all.includes(r), `${r} listed`);
    assert.ok(!all.includes(gone), 'deleted not listed');
    assert.ok(!all.includes(expired), 'expired not listed');
  });
}
