// The memory backend (tests only): both contracts.
import { createLogger } from '../../src/log/logger.js';
import { openMemoryStorage } from '../../src/storage/memory.js';
import { runStoreContract, testClock } from './session-store-contract.js';
import { runTokenStoreContract } from './token-store-contract.js';

runStoreContract('memory', async () => {
  const clock = testClock();
  const storage = openMemoryStorage({ idleTtlMs: 60_000, logger: createLogger('silent'), now: clock.now });
  return {
    store: storage.sessions,
    storage,
    idleTtlMs: 60_000,
    passTime: clock.passTime,
    close: () => storage.close(),
  };
});

runTokenStoreContract('memory', async () => {
  const storage = openMemoryStorage({ idleTtlMs: 60_000, logger: createLogger('silent') });
  return { store: storage.tokens, close: () => storage.close() };
});
