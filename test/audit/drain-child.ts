// Spawned by drain-on-sigterm.test.ts: a process with Scopewise's workload side (identity + audit export) that,
// like the entry point will, stops on SIGTERM by draining the export. Prints "ready", then the drain reports.
import { parseWorkloadConfig, startWorkload } from '../../src/identity/workload.js';
import { createLogger } from '../../src/log/logger.js';

const parsed = parseWorkloadConfig(process.env);
if (parsed.problems.length > 0) {
  process.stderr.write(`${parsed.problems.join('\n')}\n`);
  process.exit(2);
}
const workload = await startWorkload(parsed.value, {
  logger: createLogger('warn'),
  googleApiBaseUrl: process.env['GOOGLE_API_BASE_URL'],
});
const events = Number(process.env['EVENTS'] ?? '10');
for (let i = 0; i < events; i++) workload.audit.record('feature-action', { feature: 'vms', i });
// Stands for the HTTP server that keeps a real process alive.
const keepAlive = setInterval(() => undefined, 60_000);
process.once('SIGTERM', () => {
  workload.stop().then(
    (reports) => {
      process.stdout.write(`${JSON.stringify(reports)}\n`);
      clearInterval(keepAlive);
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
});
process.stdout.write('ready\n');
