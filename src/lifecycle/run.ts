// Runs Scopewise as a process: start it, say where it listens, and shut down cleanly on SIGTERM/SIGINT. Shared
// by the production entry point (src/main.ts) and the demo launcher (demo/main.ts), which passes the mock's stop.
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { createLogger } from '../log/logger.js';
import { startScopewise } from '../compose.js';
import { tuneHeap } from './heap.js';

export interface RunOptions {
  /** Runs after the app has closed, before the process exits (the demo stops its mock Google here). */
  afterClose?: () => Promise<void>;
}

export async function runUntilSignalled(config: Config, opts: RunOptions = {}): Promise<void> {
  tuneHeap();
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
      .then(() => opts.afterClose?.())
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

/** The configuration, or the process exits 1 with the problem in one line (several problems: the full list). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.problems.length === 1 ? `Scopewise cannot start: ${err.problems[0]}` : err.message);
      process.exit(1);
    }
    throw err;
  }
}
