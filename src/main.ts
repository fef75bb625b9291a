// The production entry point (`node build/src/main.js`, `npm run start:prod`): validate the configuration, start
// Scopewise, shut down cleanly on SIGTERM/SIGINT. It never runs the demo: the demo launcher (demo/main.ts,
// `npm start`) lives outside src/ so that the production build holds no mock Google.
import { loadConfigOrExit, runUntilSignalled } from './lifecycle/run.js';

/** Without an OAuth client this entry point refuses to start (configuration decides the demo; see env.ts). */
const NOT_CONFIGURED =
  'Scopewise cannot start: OIDC_CLIENT_ID is not set. Configure the OAuth client and the other settings as README.md says (Configuration); for the demo with a mock Google, run `npm start` in a clone of the repository.';

async function main(): Promise<void> {
  if (!process.env.OIDC_CLIENT_ID) {
    console.error(NOT_CONFIGURED);
    process.exit(1);
  }
  await runUntilSignalled(loadConfigOrExit(process.env));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
