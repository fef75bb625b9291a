// `npm run mock-google`: one mock Google on MOCK_PORT (default 4000) with one client from the environment.
import { DEMO_TIMING, parseOperationSeconds } from './cloud/operations.js';
import { createMockGoogle } from './server.js';
import { FIXTURE_USERS } from './users.js';

const port = Number(process.env['MOCK_PORT'] ?? '4000');
const host = process.env['MOCK_HOST'] ?? '127.0.0.1';
const clientId = process.env['MOCK_CLIENT_ID'] ?? 'scopewise-demo';
const clientSecret = process.env['MOCK_CLIENT_SECRET'] ?? 'demo-secret';
const redirectUris = (process.env['MOCK_REDIRECT_URIS'] ?? 'http://localhost:3000/auth/callback')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`MOCK_PORT must be a port number, got ${process.env['MOCK_PORT'] ?? ''}`);
  process.exit(2);
}

let operationTiming = DEMO_TIMING;
try {
  operationTiming = parseOperationSeconds(process.env['MOCK_OPERATION_SECONDS']) ?? DEMO_TIMING;
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const mock = await createMockGoogle({
  port,
  host,
  operationTiming,
  clients: [{ clientId, clientSecret, redirectUris, name: process.env['MOCK_CLIENT_NAME'] ?? 'Scopewise' }],
});

console.log(`Mock Google listening at ${mock.url}`);
console.log(`  issuer           ${mock.issuer}`);
console.log(`  discovery        ${mock.url}/.well-known/openid-configuration`);
console.log(`  Cloud APIs       GOOGLE_API_BASE_URL=${mock.url}`);
console.log(`  metadata server  GCE_METADATA_HOST=${new URL(mock.url).host}`);
console.log(`  client id        ${clientId}`);
console.log(`  client secret    ${clientSecret}`);
console.log(`  redirect URIs    ${redirectUris.join(', ')}`);
console.log('  fixture accounts:');
for (const u of FIXTURE_USERS)
  console.log(`    ${u.email.padEnd(22)} ${u.name.padEnd(16)} sub=${u.sub}${u.hd ? ` hd=${u.hd}` : ''}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: closing mock Google`);
  mock.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
