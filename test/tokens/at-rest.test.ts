// No token in clear at rest: sign in and complete an incremental consent (so a refresh token exists) through
// the real flow against the mock Google, then search the SQLite file (and its WAL) and every Redis key, and
// Redis's append-only file, for the access and refresh tokens.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import { startStack, type Stack } from '../support/stack.js';
import type { TestBrowser } from '../support/browser.js';
import { RedisChild } from '../support/redis.js';
import type { SqliteSessionStore } from '../../src/storage/sqlite.js';

const EMAIL = 'alice@example.com';
const KNOWN = {
  access_token: 'ya29.KNOWN-ACCESS-TOKEN-at-rest-test',
  refresh_token: '1//KNOWN-REFRESH-TOKEN-at-rest-test',
  expires_in: 3600,
  scope: 'openid email',
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-at-rest-'));
const children: RedisChild[] = [];
after(async () => {
  for (const c of children) await c.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface SessionBlob {
  /** The session id (the key of its row or Redis key), which also names its token record. */
  sid: string;
  user?: { sub: string };
}

/** Signs in, grants the VM feature's scopes (auto-approved at the mock), returns the browser. */
async function signInAndConsent(stack: Stack): Promise<TestBrowser> {
  const browser = await stack.signIn(EMAIL);
  await stack.control('settings', { autoApprove: { email: EMAIL } });
  const res = await browser.follow(`${stack.baseUrl}/consent/vms?returnTo=/`);
  await res.arrayBuffer();
  assert.equal(
    res.status,
    200,
    `consent ended with ${res.status}: ${browser.history.map((h) => `${h.status} ${h.url}`).join(' → ')}`,
  );
  const grants = (await stack.control(`grants?email=${encodeURIComponent(EMAIL)}`)) as {
    refreshTokens: number;
    scopes: string[];
  };
  assert.ok(grants.refreshTokens >= 1, 'the mock issued a refresh token');
  return browser;
}

/** The tokens the session holds, opened through the vault (the only way to see them). */
async function heldTokens(stack: Stack, session: SessionBlob): Promise<string[]> {
  assert.ok(session.user, 'a signed-in session');
  const rec = await stack.app.vault.record(session.sid);
  assert.ok(rec?.sealed, 'the record holds sealed tokens');
  const set = stack.app.vault.open(session.user.sub, session.sid, rec.sealed);
  assert.ok(set.refreshToken, 'the consent left a refresh token');
  return [set.accessToken, set.refreshToken];
}

function assertAbsent(haystack: Buffer, secrets: string[], where: string): void {
  for (const s of secrets) {
    assert.equal(haystack.includes(Buffer.from(s, 'utf8')), false, `a token was found in clear in ${where}`);
  }
}

test('SQLite: neither the access nor the refresh token is in the database file or its WAL', async () => {
  const file = path.join(tmp, 'sessions.db');
  const stack = await startStack({ env: { SESSION_STORE: `sqlite:${file}` } });
  let secrets: string[] = [];
  try {
    await signInAndConsent(stack);
    const rows = (stack.app.storage.sessions as SqliteSessionStore).rawEntries();
    const signedIn = rows
      .map((r) => ({ ...(JSON.parse(r.data) as Omit<SessionBlob, 'sid'>), sid: r.sid }))
      .filter((s) => s.user);
    assert.equal(signedIn.length, 1);
    secrets = await heldTokens(stack, signedIn[0]!);
    await stack.app.vault.applyGrant('known-ref', '100000000000000000001', KNOWN, ['openid', 'email']);
    secrets.push(KNOWN.access_token, KNOWN.refresh_token);
    const bytes: Buffer[] = [];
    for (const f of [file, `${file}-wal`]) {
      if (!fs.existsSync(f)) continue;
      bytes.push(fs.readFileSync(f));
      assertAbsent(bytes.at(-1)!, secrets, path.basename(f));
    }
    // Positive control: the search does see what is stored (the session's id, in the clear by design).
    assert.ok(Buffer.concat(bytes).includes(Buffer.from(signedIn[0]!.sid)), 'the search reads the stored bytes');
  } finally {
    await stack.close();
  }
  // After the close (checkpointed into the main file) too.
  for (const f of fs.readdirSync(tmp).filter((n) => n.startsWith('sessions.db'))) {
    assertAbsent(fs.readFileSync(path.join(tmp, f)), secrets, f);
  }
  // The records are still readable with the key (the test searched for the right thing).
  const db = new Database(file, { readonly: true });
  assert.ok((db.prepare('SELECT COUNT(*) AS n FROM token_records').get() as { n: number }).n >= 2);
  db.close();
});

test("Redis: neither token is in any key's value nor in the append-only file", async () => {
  const redis = await RedisChild.start({ persistent: true });
  children.push(redis);
  const stack = await startStack({ env: { SESSION_STORE: redis.url } });
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    await signInAndConsent(stack);
    const sessions: SessionBlob[] = [];
    const dump: Buffer[] = [];
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ COUNT: 500 })) keys.push(...(batch as unknown as string[]));
    assert.ok(keys.length > 0);
    for (const key of keys) {
      const type = await client.type(key);
      dump.push(Buffer.from(key));
      if (type === 'string') {
        const v = (await client.get(key)) ?? '';
        dump.push(Buffer.from(v));
        if (key.startsWith('scopewise:sess:'))
          sessions.push({ ...(JSON.parse(v) as Omit<SessionBlob, 'sid'>), sid: key.slice('scopewise:sess:'.length) });
      } else if (type === 'hash') {
        for (const [f, v] of Object.entries(await client.hGetAll(key))) dump.push(Buffer.from(`${f}=${v}`));
      } else if (type === 'list') {
        dump.push(Buffer.from((await client.lRange(key, 0, -1)).join('\n')));
      } else if (type === 'set') {
        dump.push(Buffer.from((await client.sMembers(key)).join('\n')));
      } else if (type === 'zset') {
        dump.push(Buffer.from((await client.zRange(key, 0, -1)).join('\n')));
      }
    }
    const signedIn = sessions.filter((s) => s.user);
    assert.equal(signedIn.length, 1);
    const secrets = await heldTokens(stack, signedIn[0]!);
    await stack.app.vault.applyGrant('known-ref', '100000000000000000001', KNOWN, ['openid', 'email']);
    secrets.push(KNOWN.access_token, KNOWN.refresh_token);
    assert.ok(await client.exists('scopewise:tokens:known-ref'), 'the token record is where the search looks');
    assertAbsent(Buffer.concat(dump), secrets, 'a Redis key');
    assert.ok(
      Buffer.concat(dump).includes(Buffer.from(signedIn[0]!.sid)),
      'positive control: the search reads the stored values',
    );
    const aof = await client.configGet('dir');
    const dir = Object.values(aof)[0]!;
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else files.push(path.join(d, e.name));
      }
    };
    walk(dir);
    assert.ok(
      files.some((f) => f.includes('.aof')),
      'the append-only file exists',
    );
    for (const f of files) assertAbsent(fs.readFileSync(f), secrets, path.basename(f));
  } finally {
    await client.close();
    await stack.close();
  }
});
