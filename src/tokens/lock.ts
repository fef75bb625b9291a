// A lock across instances, so that N instances sharing sessions make one refresh, not N (the Redis one is in
// src/storage/redis.ts). Writes that follow are fenced by the token store's version, so a holder whose lease
// lapsed cannot overwrite a newer token even if it finishes late.

export interface LockLease {
  /** False once a renewal found the lock gone or held by someone else. */
  readonly held: boolean;
  release(): Promise<void>;
}

export interface DistributedLock {
  /** Tries once; resolves null when someone else holds the lock. */
  tryAcquire(name: string, ttlMs: number): Promise<LockLease | null>;
}
