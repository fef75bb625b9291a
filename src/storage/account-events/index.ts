// The account-event stores on one backend, matching the session store's backend (memory, SQLite, Redis).
import type Database from 'better-sqlite3';
import {
  MemoryAccountState,
  RedisAccountState,
  SqliteAccountState,
  type CredentialChangeFlags,
  type SignInBlockList,
} from './account-state.js';
import { MemoryJtiStore, RedisJtiStore, SqliteJtiStore, type JtiStore } from './jti-store.js';
import type { RedisCommands } from './redis-commands.js';
import {
  MemorySessionCutoffs,
  RedisSessionCutoffs,
  SqliteSessionCutoffs,
  type SessionCutoffs,
} from './session-cutoffs.js';
import { MemorySubjectIndex, RedisSubjectIndex, SqliteSubjectIndex, type SubjectIndex } from './subject-index.js';

export type EventStoreBackend =
  | { kind: 'memory' }
  | { kind: 'sqlite'; db: Database.Database }
  | { kind: 'redis'; redis: RedisCommands };

export interface EventStores {
  jti: JtiStore;
  /** "Sessions of this account signed in before T are over" (sessions-revoked, account-disabled). */
  cutoffs: SessionCutoffs;
  subjects: SubjectIndex;
  blocks: SignInBlockList;
  credentialChanges: CredentialChangeFlags;
}

export function openEventStores(backend: EventStoreBackend, now: () => number = Date.now): EventStores {
  switch (backend.kind) {
    case 'memory': {
      const state = new MemoryAccountState();
      return {
        jti: new MemoryJtiStore(now),
        cutoffs: new MemorySessionCutoffs(now),
        subjects: new MemorySubjectIndex(now),
        blocks: state,
        credentialChanges: state,
      };
    }
    case 'sqlite': {
      const state = new SqliteAccountState(backend.db);
      return {
        jti: new SqliteJtiStore(backend.db, now),
        cutoffs: new SqliteSessionCutoffs(backend.db, now),
        subjects: new SqliteSubjectIndex(backend.db, now),
        blocks: state,
        credentialChanges: state,
      };
    }
    case 'redis': {
      const state = new RedisAccountState(backend.redis);
      return {
        jti: new RedisJtiStore(backend.redis, now),
        cutoffs: new RedisSessionCutoffs(backend.redis, now),
        subjects: new RedisSubjectIndex(backend.redis, now),
        blocks: state,
        credentialChanges: state,
      };
    }
  }
}

export * from './account-state.js';
export * from './jti-store.js';
export * from './redis-commands.js';
export * from './session-cutoffs.js';
export * from './subject-index.js';
