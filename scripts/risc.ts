// npm run risc -- register|status|verify|disable|enable|blocked|unblock: see src/events/cli.ts.
import { openBlocksFromEnv } from '../src/events/open-store.js';
import { runRiscCli } from '../src/events/cli.js';

process.exitCode = await runRiscCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  openBlocks: () => openBlocksFromEnv(process.env),
});
