// Scopewise with sessions in memory, for the benchmarks only: `src/main.ts` refuses SESSION_STORE=memory
// (sessions would vanish on restart), which only code may allow (`loadConfig(env, { testing: true })`). Everything
// else is as `src/main.ts` starts it: the same configuration from the environment, the same composition root.
import { loadConfig } from '../src/config/env.js';
import { createLogger } from '../src/log/logger.js';
import { startScopewise } from '../src/compose.js';
import { tuneHeap } from '../src/lifecycle/heap.js';

tuneHeap(); // as the entry points do (src/lifecycle/run.ts)

const config = loadConfig(process.env, { testing: true });
if (config.sessionStore.kind !== 'memory')
  throw new Error('bench/app-memory.js is for SESSION_STORE=memory; use dist/src/main.js');
const logger = createLogger(config.logLevel);
const app = await startScopewise(config, logger);
process.on('SIGTERM', () => {
  void app.drain
    .drain(0)
    .then(() => app.close())
    .then(() => process.exit(0));
});
