import { test } from 'node:test';
import { startStack } from '../helpers/stack.js';
import { signIn, grantAll, get, text } from './helpers.js';

test('explore', async () => {
  const stack = await startStack();
  try {
    const b = await signIn(stack);
    for (const f of ['projects','vms','buckets','logs','cloud-run','service-accounts']) await grantAll(stack, b, f);
    const main = (h: string) => text(/<main id="main">([\s\S]*?)<\/main>/.exec(h)?.[1] ?? h).replace(/\n\s*\n/g, '\n');
    for (const path of ['/vms?project=no-such-project', '/buckets?project=no-such-project', '/logs?project=no-such-project', '/service-accounts?project=no-such-project', '/projects/no-such-project/iam', '/cloud-run?project=no-such-project&region=us-central1', '/projects/acme-sandbox/iam', '/logs?project=acme-prod&filter=severity>>>(', '/buckets/acme-data-lake?prefix=']) {
      const r = await get(stack, b, path);
      console.log('=====', path, r.status, main(r.html).slice(0, 800));
    }
  } finally {
    await stack.close();
  }
});
