// `npm start`: the demo when no OAuth client is configured (the mock Google started in this process, see
// launch.ts), otherwise Scopewise exactly as the production entry point (src/main.ts) runs it. It lives outside
// src/ so that the production build (`npm run build` → build/) holds neither the mock nor the demo. The demo
// still refuses to start where the settings say this is a real deployment (loadConfig's demo refusal).
import { loadConfigOrExit, runUntilSignalled } from '../src/lifecycle/run.js';
import { startDemo } from './launch.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  if (!config.demo) {
    await runUntilSignalled(config);
    return;
  }
  const demo = await startDemo(config);
  await runUntilSignalled(demo.config, { afterClose: demo.stop });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
