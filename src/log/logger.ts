// Structured logs (pino) with secrets redacted at the source (the rule: redact.ts). Anything that may carry a
// token, an OAuth code, a cookie or a client secret is censored here, so that no call site has to remember to.
import { pino, type Logger, type DestinationStream } from 'pino';
import { REDACT_PATHS } from './redact.js';

export type { Logger };

export { REDACT_PATHS };

// Query strings may carry `code` and `state` (the callback): log only the path.
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'scopewise' },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
