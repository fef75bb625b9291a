// Structured logs (pino) with secrets redacted at the source. Anything that may carry a token, a code,
// a cookie or a client secret is censored here, so that no call site has to remember to.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.code',
  '*.state',
  '*.client_secret',
  '*.clientSecret',
  '*.code_verifier',
  '*.codeVerifier',
  '*.password',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'state',
  'client_secret',
];

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
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
