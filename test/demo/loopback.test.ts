// `npm start` (the demo, with its mock Google and generated secrets) is for the person at this machine: it
// listens on loopback unless HOST says otherwise, so nobody else on the network can reach it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { spawnDemo, type DemoProcess } from '../support/demo-process.js';

const external = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
const demos: DemoProcess[] = [];
after(() => {
  for (const d of demos) d.cleanup();
});

async function reachable(url: string): Promise<boolean> {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(2000) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

async function started(env: Record<string, string> = {}): Promise<DemoProcess> {
  const demo = await spawnDemo(env);
  demos.push(demo);
  const deadline = Date.now() + 20_000;
  while (!demo.output().includes('Scopewise demo is running')) {
    if (Date.now() > deadline || demo.child.exitCode !== null) assert.fail(`the demo did not start:\n${demo.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return demo;
}

test('the demo listens on loopback by default: reachable at 127.0.0.1, not at the machine’s network address', {
  skip: external ? false : 'this machine has no non-loopback IPv4 address to try',
}, async () => {
  const demo = await started();
  assert.ok(await reachable(`http://127.0.0.1:${demo.appPort}/healthz`), 'reachable on loopback');
  assert.ok(await reachable(`${demo.base}/healthz`), 'and at its BASE_URL (localhost)');
  assert.equal(await reachable(`http://${external}:${demo.appPort}/healthz`), false, `not at ${external}`);
  assert.equal(await reachable(`http://${external}:${new URL(demo.mock).port}/`), false, 'nor its mock Google');
});

test('HOST=0.0.0.0 makes the demo reachable from the network, as asked', {
  skip: external ? false : 'this machine has no non-loopback IPv4 address to try',
}, async () => {
  const demo = await started({ HOST: '0.0.0.0' });
  assert.ok(await reachable(`http://${external}:${demo.appPort}/healthz`));
});
