// scripts/reencrypt-tokens: after a key rotation, every token record in a SQLite store ends up under the new key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger } from '../../src/log/logger.js';
import { openStorage } from '../../src/storage/index.js';
import { generateKeySpec, parseKeyring } from '../../src/tokens/crypto.js';
import { TokenVault, type TokenEndpoint } from '../../src/tokens/vault.js';
import { reencryptTokens } from '../../scripts/reencrypt-tokens.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-reencrypt-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const logger = createLogger('silent');
const endpoint: TokenEndpoint = { refresh: async () => Promise.reject(new Error('no')), revoke: async () => undefined };
const OLD = generateKeySpec('old');
const NEW = generateKeySpec('new');
const MISSING = generateKeySpec('missing');
const SCRIPT = fileURLToPath(new URL('../../scripts/reencrypt-tokens.js', import.meta.url));

async function withVault(file: string, keys: string, fn: (vault: TokenVault) => Promise<void>): Promise<void> {
  const storage = await openStorage({ kind: 'sqlite', path: file }, { idleTtlMs: 60_000, logger, sweepIntervalMs: 0 });
  try {
    await fn(
      new TokenVault({ keyring: parseKeyring(keys), store: storage.tokens, endpoint, logger, recordTtlMs: 3_600_000 }),
    );
  } finally {
    await storage.close();
  }
}

const grant = (n: number) => ({ access_token: `at-${n}`, refresh_token: `rt-${n}`, expires_in: 3600, scope: 'openid' });

async function seed(file: string): Promise<void> {
  await withVault(file, OLD, async (v) => {
    for (const n of [1, 2, 3]) await v.applyGrant(`old-${n}`, `sub-${n}`, grant(n), ['openid']);
  });
  await withVault(file, `${NEW},${OLD}`, async (v) => {
    await v.applyGrant('new-1', 'sub-9', grant(9), ['openid']);
  });
  await withVault(file, MISSING, async (v) => {
    await v.applyGrant('lost-key', 'sub-7', grant(7), ['openid']);
  });
}

test('reencrypt-tokens moves every readable record to the newest key and counts what it did', async () => {
  const file = path.join(tmp, 'a.db');
  await seed(file);
  const env = { NODE_ENV: 'test', SESSION_STORE: `sqlite:${file}`, TOKEN_KEYS: `${NEW},${OLD}`, LOG_LEVEL: 'silent' };
  const lines: string[] = [];
  const counts = await reencryptTokens(env, (l) => lines.push(l));
  assert.deepEqual(counts, { reencrypted: 3, current: 1, unreadable: 1, empty: 0, gone: 0 });
  const text = lines.join('\n');
  assert.match(text, /re-encrypted: 3/);
  assert.match(text, /already current: 1/);
  assert.match(text, /unreadable: 1/);
  assert.match(text, /UNKNOWN_KEY/);
  assert.ok(!/at-\d|rt-\d/.test(text), 'no token in the output');

  // The old key can go now: everything readable opens with the new key alone.
  await withVault(file, NEW, async (v) => {
    for (const n of [1, 2, 3]) assert.equal((await v.accessToken(`old-${n}`, `sub-${n}`)).accessToken, `at-${n}`);
    assert.equal((await v.accessToken('new-1', 'sub-9')).accessToken, 'at-9');
    const rec = await v.record('old-1');
    assert.ok(rec?.sealed?.startsWith('v1.new.'));
  });
  // The unreadable record was left as it was (not dropped by maintenance).
  await withVault(file, MISSING, async (v) => {
    assert.equal((await v.accessToken('lost-key', 'sub-7')).accessToken, 'at-7');
  });

  const again = await reencryptTokens(env, () => undefined);
  assert.deepEqual(again, { reencrypted: 0, current: 4, unreadable: 1, empty: 0, gone: 0 });
});

test('the compiled command: output, exit status 2 when records are unreadable, 0 when all are current, 1 on bad config', async () => {
  const file = path.join(tmp, 'b.db');
  await seed(file);
  const run = promisify(execFile);
  const base = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', SESSION_STORE: `sqlite:${file}` };
  const first = await run(process.execPath, [SCRIPT], { env: { ...base, TOKEN_KEYS: `${NEW},${OLD}` } }).then(
    () => assert.fail('expected exit status 2'),
    (err: { code: number; stdout: string }) => err,
  );
  assert.equal(first.code, 2);
  assert.match(first.stdout, /re-encrypted: 3\nalready current: 1\nunreadable: 1/);
  // With the missing key added, the last record is re-encrypted too and the status is 0.
  const second = await run(process.execPath, [SCRIPT], { env: { ...base, TOKEN_KEYS: `${NEW},${OLD},${MISSING}` } });
  assert.match(second.stdout, /re-encrypted: 1\nalready current: 4\nunreadable: 0/);
  const bad = await run(process.execPath, [SCRIPT], { env: { ...base } }).then(
    () => assert.fail('expected exit status 1'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /TOKEN_KEYS is not set/);
});
