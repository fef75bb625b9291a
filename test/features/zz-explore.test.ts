import { test } from 'node:test';
import { startStack } from '../helpers/stack.js';
import { signIn, grantAll, get, consentUrl, consentGranular, grantsAt, AUTH } from './helpers.js';

test('explore', async () => {
  const stack = await startStack();
  try {
    const b = await signIn(stack);
    const strip = (h: string) => h.replace(/<head>[\s\S]*?<\/head>/, '').replace(/<header[\s\S]*?<\/header>/, '').replace(/<footer[\s\S]*<\/html>/, '').replace(/\n\s*\n/g, '\n');
    let r = await get(stack, b, '/vms');
    console.log('VMS before', r.status, strip(r.html));
    const u = await consentUrl(stack, b, 'vms', '/vms');
    console.log(u.href);
    await stack.control('settings', { autoApprove: { email: 'alice@example.com' } });
    const p = await b.follow(u);
    console.log('after consent', p.status, b.history.slice(-3));
    r = await get(stack, b, '/vms?project=acme-prod');
    console.log('VMS', r.status, strip(r.html));
    console.log(await grantsAt(stack));
    for (const path of ['/service-accounts', '/vms/power?project=acme-prod&zone=us-central1-a&instance=web-1&action=stop', '/account', '/consent/nope', '/consent/vms?returnTo=/a&returnTo=/b', '/vms?project=Bad!', '/vms?project=a&project=b', '/vms?project=no-such-project']) {
      r = await get(stack, b, path);
      console.log('=====', path, r.status, r.location, strip(r.html).slice(0, 3000));
    }
    const u2 = await consentUrl(stack, b, 'logs', '/logs');
    console.log(u2.href);
    const cb = await consentGranular(stack, b, u2, []);
    console.log('granular', cb.status, cb.headers.get('location'));
    r = await get(stack, b, '/logs?project=acme-prod');
    console.log('LOGS', r.status, strip(r.html));
  } finally {
    await stack.close();
  }
});
