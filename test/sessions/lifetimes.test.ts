// Idle and absolute session lifetimes, enforced on the server whatever the cookie says.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import {
  cookieSettings,
  establishIdentity,
  LAST_SEEN_RESOLUTION_MS,
  sessionMiddleware,
} from '../../src/sessions/middleware.js';

let clock = 1_000_000_000;
const idleMs = 30 * 60_000;
const absoluteMs = 8 * 3_600_000;
const app = express();
app.use(
  sessionMiddleware({
    store: new session.MemoryStore(),
    secrets: ['s'.repeat(32)],
    cookie: cookieSettings(false),
    idleMs,
    absoluteMs,
    now: () => clock,
  }),
);
app.post('/signin', (req, res) => {
  establishIdentity(req, { sub: '1', iss: 'i', email: 'a@example.com', emailVerified: true, name: 'A' }, clock);
  res.sendStatus(204);
});
app.get('/who', (req, res) => {
  res.json({ user: req.session.user?.sub ?? null });
});
const server = http.createServer(app);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => new Promise<void>((r) => server.close(() => r())));

async function signIn(): Promise<string> {
  const res = await fetch(`${base}/signin`, { method: 'POST' });
  const cookie = res.headers.getSetCookie()[0]!;
  assert.ok(!/expires=|max-age=/i.test(cookie), 'a browser-session cookie (the server keeps time)');
  return cookie.split(';')[0]!;
}
const who = async (cookie: string) =>
  ((await (await fetch(`${base}/who`, { headers: { cookie } })).json()) as { user: string | null }).user;

test('an active session outlives the idle lifetime; an idle one ends after it', async () => {
  const cookie = await signIn();
  for (let i = 0; i < 4; i++) {
    clock += idleMs - LAST_SEEN_RESOLUTION_MS; // just under the idle limit each time
    assert.equal(await who(cookie), '1', `active after ${i + 1} periods`);
  }
  clock += idleMs + 1;
  assert.equal(await who(cookie), null, 'idle past the limit');
  assert.equal(await who(cookie), null, 'and stays ended');
});

test('the absolute lifetime ends even an active session', async () => {
  const cookie = await signIn();
  const start = clock;
  while (clock - start < absoluteMs - idleMs) {
    clock += idleMs / 2;
    assert.equal(await who(cookie), '1');
  }
  clock = start + absoluteMs + 1;
  assert.equal(await who(cookie), null);
});

test('no Set-Cookie on ordinary requests (the cookie is not re-signed each time)', async () => {
  const cookie = await signIn();
  const res = await fetch(`${base}/who`, { headers: { cookie } });
  assert.equal(res.headers.getSetCookie().length, 0);
});
