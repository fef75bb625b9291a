// A real process killed between claiming a security event token and reacting to it (and once more halfway
// through the reaction), on a shared Redis: the event is not lost. Before the claim's deadline a redelivery is
// told to come back (503, never "duplicate"); after it, the redelivery acts; once done, it is a duplicate. A
// reaction cut short after its first write already holds: the account's sessions end at their next request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisChild, sessionIdOf, startStack, type Stack, type TestBrowser } from '../support/index.js';

const LEASE_MS = 1500;
const ALICE = 'alice@example.com';
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'risc-child.js');

let redis: RedisChild;
let stack: Stack;
before(async () => {
  redis = await RedisChild.start();
  stack = await startStack({ env: { SESSION_STORE: redis.url } });
  await stack.control('risc/stream', { url: `${stack.baseUrl}/risc` });
});
after(async () => {
  await stack?.close();
  await redis?.stop();
});

interface Child {
  proc: ChildProcess;
  url: string;
  paused: Promise<string>;
  output(): string;
}

/** Starts the receiver process on the stack's Redis and settings; resolves when it listens. */
async function startChild(killPoint: 'after-claim' | 'after-cutoff'): Promise<Child> {
  const c = stack.config;
  const proc = spawn(process.execPath, [CHILD], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      OIDC_ISSUER: c.oidc.issuer.href,
      OIDC_CLIENT_ID: c.oidc.clientId,
      OIDC_CLIENT_SECRET: c.oidc.clientSecret,
      BASE_URL: c.baseUrl.origin,
      SESSION_SECRET: c.sessionSecrets.join(','),
      TOKEN_KEYS: c.tokenKeys ?? '',
      SESSION_STORE: redis.url,
      ALLOWED_DOMAINS: 'example.com',
      KILL_POINT: killPoint,
      CLAIM_LEASE_MS: String(LEASE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onLine: ((l: string) => void) | undefined;
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const line of d.split('\n')) if (line) onLine?.(line);
  });
  const listening = new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`the receiver process exited (${code}):\n${out}`)));
    let pausedResolve!: (p: string) => void;
    const paused = new Promise<string>((r) => {
      pausedResolve = r;
    });
    onLine = (line) => {
      if (line.startsWith('LISTENING ')) resolve(line.slice('LISTENING '.length));
      if (line.startsWith('PAUSED ')) pausedResolve(line.slice('PAUSED '.length));
    };
    (proc as ChildProcess & { paused?: Promise<string> }).paused = paused;
  });
  const url = await listening;
  return {
    proc,
    url,
    paused: (proc as ChildProcess & { paused: Promise<string> }).paused,
    output: () => out,
  };
}

async function kill(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.proc.once('exit', () => r()));
  child.proc.kill('SIGKILL');
  await gone;
}

const send = async (body: Record<string, unknown>) =>
  (await stack.control('risc/send', body)) as { status: number | null; delivered: boolean };
const redeliver = () => send({ type: 'sessions-revoked', bad: 'replayed-jti', url: `${stack.baseUrl}/risc` });
const me = async (b: TestBrowser) => (await b.request(`${stack.baseUrl}/me`)).status;

async function signedInWithVms(): Promise<TestBrowser> {
  const b = await stack.signIn(ALICE);
  assert.equal((await stack.grant(b, 'vms', '/vms?project=acme-prod', ALICE)).status, 200);
  return b;
}

/** Sends sessions-revoked to the child, waits until it stops at its point, and kills it there. */
async function killedMidway(point: 'after-claim' | 'after-cutoff'): Promise<void> {
  const child = await startChild(point);
  try {
    const sending = send({ email: ALICE, type: 'sessions-revoked', url: child.url });
    assert.equal(await child.paused, point, child.output());
    await kill(child);
    const first = await sending;
    assert.equal(first.delivered, false, 'Google saw the connection fail: it will deliver again');
  } finally {
    await kill(child);
  }
}

test('killed between the claim and the reaction: the redelivery is not a "duplicate"; after the claim’s deadline it acts', async () => {
  const b = await signedInWithVms();
  const sid = sessionIdOf(b);
  await killedMidway('after-claim');
  assert.equal(await me(b), 200, 'nothing was done yet');
  assert.equal((await redeliver()).status, 503, 'before the deadline: deliver again later');
  await new Promise((r) => setTimeout(r, LEASE_MS + 100));
  assert.equal((await redeliver()).status, 202);
  assert.equal(await stack.app.storage.tokens.get(sid), null, 'the session and its tokens are gone');
  assert.equal(await me(b), 401);
  assert.equal((await redeliver()).status, 202, 'once done, a redelivery is a duplicate');
  assert.equal(stack.logs.events('risc-sessions-ended').length, 1, 'acted on once');
  assert.equal(stack.logs.events('risc-set-duplicate').length, 1);
});

test('killed halfway through the reaction: the account’s sessions are already over; the redelivery finishes the cleanup', async () => {
  const used = await signedInWithVms();
  const idle = await signedInWithVms();
  await killedMidway('after-cutoff');
  assert.equal(await me(used), 401, 'at once, before any redelivery: the one atomic write holds');
  assert.ok(await stack.app.storage.tokens.get(sessionIdOf(idle)), 'an unused session still has its record');
  await new Promise((r) => setTimeout(r, LEASE_MS + 100));
  assert.equal((await redeliver()).status, 202);
  assert.equal(await stack.app.storage.tokens.get(sessionIdOf(idle)), null, 'the redelivery ended it too');
});
