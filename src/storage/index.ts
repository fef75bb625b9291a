// Opens the configured backend. Nothing else in the app names a backend.
import type { SessionStoreSpec } from '../config/env.js';
import { openMemoryStorage } from './memory.js';
import { openRedisStorage } from './redis.js';
import { openSqliteStorage } from './sqlite.js';
import type { Storage, StorageOptions } from './types.js';

export type { Storage, StorageKind, StorageOptions } from './types.js';

export async function openStorage(spec: SessionStoreSpec, opts: StorageOptions): Promise<Storage> {
  switch (spec.kind) {
    case 'sqlite':
      return openSqliteStorage(spec.path, opts);
    case 'memory':
      return openMemoryStorage(opts);
    case 'redis':
      return openRedisStorage(spec.url, opts);
  }
}
