// Redis must never evict Scopewise's keys: tombstones (a signed-out session stays out), account-event claims (a
// replayed event acts once) and cutoffs, the subject index all carry TTLs, which `volatile-*` policies (the
// default of some managed services) evict first under memory pressure. Scopewise reads the policy at start where
// CONFIG GET is allowed: an evicting Redis with a memory limit is refused; one it cannot check is a warning.
import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/log/logger.js';
import { evictionVerdict } from '../../src/storage/redis-policy.js';
import { openRedisStorage } from '../../src/storage/redis.js';
import { RedisChild } from '../support/redis.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
const children: RedisChild[] = [];
after(async () => {
  for (const c of children) await c.stop();
});
async function redis(args: string[] = []): Promise<RedisChild> {
  const c = await RedisChild.start({ args });
  children.push(c);
  return c;
}
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) }) };
}

describe('eviction policy verdicts', () => {
  it('noeviction is fine; an evicting policy refuses once memory is limited, warns while it is not', () => {
    assert.equal(evictionVerdict({ policy: 'noeviction', maxmemory: 1 << 30 }).level, 'ok');
    for (const policy of ['volatile-lru', 'allkeys-lru', 'volatile-ttl', 'allkeys-random', 'volatile-lfu']) {
      const limited = evictionVerdict({ policy, maxmemory: 1 << 30 });
      assert.equal(limited.level, 'refuse', policy);
      assert.match(limited.message, /maxmemory-policy noeviction/);
      assert.equal(evictionVerdict({ policy, maxmemory: 0 }).level, 'warn', `${policy} without a limit`);
    }
    assert.equal(evictionVerdict('unreadable').level, 'warn');
  });
});

test('an evicting Redis with a memory limit is refused at start, saying what to set', async () => {
  const r = await redis(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru']);
  await assert.rejects(
    openRedisStorage(r.url, { idleTtlMs: 60_000, logger: createLogger('silent') }),
    (err: Error & { code?: string }) =>
      err.code === 'REDIS_EVICTION_POLICY' && /volatile-lru/.test(err.message) && /noeviction/.test(err.message),
  );
});

test('a Redis that does not allow CONFIG GET (a managed service) starts with a warning', async () => {
  const r = await redis(['--rename-command', 'CONFIG', '']);
  const { logger, lines } = capture();
  const storage = await openRedisStorage(r.url, { idleTtlMs: 60_000, logger });
  await storage.close();
  const warning = lines.find((l) => l['level'] === 'warn' && /eviction policy/.test(String(l['msg'])));
  assert.ok(warning, JSON.stringify(lines));
  assert.match(String(warning['msg']), /noeviction/);
});

test('noeviction (or no memory limit and no policy to worry about): starts quietly', async () => {
  const r = await redis(['--maxmemory', '64mb', '--maxmemory-policy', 'noeviction']);
  const { logger, lines } = capture();
  const storage = await openRedisStorage(r.url, { idleTtlMs: 60_000, logger });
  await storage.close();
  assert.equal(lines.filter((l) => l['level'] === 'warn').length, 0);
});

test('the entry point refuses to start on an evicting Redis: exit 1, one line naming the fix', async () => {
  const r = await redis(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
  const proc = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      OIDC_CLIENT_ID: 'c',
      OIDC_CLIENT_SECRET: 's',
      SESSION_SECRET: 'x'.repeat(32),
      TOKEN_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      ALLOWED_DOMAINS: 'example.com',
      BASE_URL: 'http://localhost:3999',
      PORT: '0',
      SESSION_STORE: r.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const [code] = (await once(proc, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(err, /allkeys-lru/);
  assert.match(err, /maxmemory-policy noeviction/);
});
