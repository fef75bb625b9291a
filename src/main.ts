// Entry point: validate the configuration, start the demo's mock Google when no OAuth client is
// configured, start Scopewise, and shut down cleanly on SIGTERM/SIGINT.
import { ConfigError, loadConfig, type Config } from './config/env.js';
import { createLogger } from './log/logger.js';
import { startScopewise } from './compose.js';
import { tuneHeap } from './lifecycle/heap.js';

async function main(): Promise<void> {
  tuneHeap();
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.problems.length === 1 ? `Scopewise cannot start: ${err.problems[0]}` : err.message);
      process.exit(1);
    }
    throw err;
  }
  let stopDemo: (() => Promise<void>) | undefined;
  if (config.demo) {
    const { startDemo } = await import('./demo/launch.js');
    const demo = await startDemo(config);
    config = demo.config;
    stopDemo = demo.stop;
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn({ code: 'CONFIG_WARNING' }, warning);
  const app = await startScopewise(config, logger);
  const { drainDelayMs, closeTimeoutMs } = config.drain;
  if (config.demo) {
    console.log(`\nScopewise demo is running: ${config.baseUrl.origin}\n`);
  } else {
    logger.info({ url: config.baseUrl.origin }, 'Scopewise is listening');
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // SIGTERM (an orchestrator's stop): /readyz answers 503 at once and the app keeps serving for the drain
    // delay, while the load balancer's health check notices; Ctrl-C (SIGINT) skips the delay.
    const delayMs = signal === 'SIGTERM' ? drainDelayMs : 0;
    logger.info({ signal, drainMs: delayMs }, 'shutting down: unready now; finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error(`in-flight requests did not finish within ${closeTimeoutMs / 1000} s; exiting`);
      process.exit(1);
    }, delayMs + closeTimeoutMs);
    force.unref();
    app.drain
      .drain(delayMs)
      .then(() => app.close())
      .then(() => stopDemo?.())
      .then(() => {
        logger.info('shut down cleanly');
        logger.flush?.();
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
