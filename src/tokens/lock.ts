// A lock across instances (Redis), so that N instances sharing sessions make one refresh, not N.
// Acquired with SET NX PX and a random token, renewed while the holder works, released only by its
// holder (a compare-and-delete script). Writes that follow are fenced by the token store's version, so
// a holder whose lease lapsed cannot overwrite a newer token even if it finishes late.
import crypto from 'node:crypto';
import type { RedisConnection } from '../sessions/store.js';

export interface LockLease {
  /** False once a renewal found the lock gone or held by someone else. */
  readonly held: boolean;
  release(): Promise<void>;
}

export interface DistributedLock {
  /** Tries once; resolves null when someone else holds the lock. */
  tryAcquire(name: string, ttlMs: number): Promise<LockLease | null>;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export class RedisLock implements DistributedLock {
  constructor(
    private readonly client: RedisConnection,
    private readonly prefix = 'scopewise:lock:',
  ) {}

  async tryAcquire(name: string, ttlMs: number): Promise<LockLease | null> {
    const key = this.prefix + name;
    const token = crypto.randomBytes(16).toString('base64url');
    const ok = await this.client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    if (ok !== 'OK') return null;
    let held = true;
    const client = this.client;
    const timer = setInterval(() => {
      client
        .eval(RENEW, { keys: [key], arguments: [token, String(ttlMs)] })
        .then((r) => {
          if (Number(r) !== 1) held = false;
        })
        .catch(() => {
          held = false;
        });
    }, Math.max(50, Math.floor(ttlMs / 3)));
    timer.unref();
    return {
      get held() {
        return held;
      },
      async release() {
        clearInterval(timer);
        if (!held) return;
        held = false;
        await client.eval(RELEASE, { keys: [key], arguments: [token] }).catch(() => undefined);
      },
    };
  }
}
