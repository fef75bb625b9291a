// The demo: runs when no OAuth client is configured. Starts the bundled mock Google, points Scopewise
// at it, and keeps generated demo secrets under data/ so sessions survive a restart. Outside src/ (the
// production build never holds it): the only code besides tests that imports the mock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config/env.js';
import { generateKeySpec } from '../src/tokens/crypto.js';
import { createMockGoogle } from '../mock-google/server.js';
import { DEMO_TIMING, parseOperationSeconds } from '../mock-google/cloud/operations.js';
import { applyDemoWorkload } from './workload.js';

interface DemoSecrets {
  clientId: string;
  clientSecret: string;
  sessionSecret: string;
  tokenKeys: string;
}

export const DEMO_ACCOUNTS = [
  { email: 'alice@example.com', note: 'administrator (Workspace domain example.com)' },
  { email: 'bob@example.com', note: 'second administrator (example.com)' },
  { email: 'carol@gmail.com', note: 'consumer account: refused (not in an allowed domain)' },
  { email: 'dave@other.example', note: 'administrator of another domain: refused' },
];

export function loadOrCreateDemoSecrets(dir: string): DemoSecrets {
  const file = path.join(dir, 'demo-secrets.json');
  if (fs.existsSync(file)) {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DemoSecrets>;
    if (parsed.clientId && parsed.clientSecret && parsed.sessionSecret && parsed.tokenKeys)
      return parsed as DemoSecrets;
  }
  const secrets: DemoSecrets = {
    clientId: 'scopewise-demo',
    clientSecret: crypto.randomBytes(24).toString('base64url'),
    sessionSecret: crypto.randomBytes(32).toString('base64url'),
    tokenKeys: generateKeySpec('demo1'),
  };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return secrets;
}

export async function startDemo(
  base: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ config: Config; stop: () => Promise<void> }> {
  const dataDir = path.resolve(env.DEMO_DATA_DIR ?? 'data');
  const secrets = loadOrCreateDemoSecrets(dataDir);
  const mockPort = Number(env.MOCK_PORT ?? 4000);
  if (!Number.isInteger(mockPort) || mockPort < 0 || mockPort > 65535) {
    throw new Error(`MOCK_PORT="${env.MOCK_PORT}" is not valid: expected a port number`);
  }
  const redirectUri = new URL('/auth/callback', base.baseUrl).href;
  // VM stops and starts take time in the demo, as at Google (MOCK_OPERATION_SECONDS="pending,running").
  const operationTiming = parseOperationSeconds(env.MOCK_OPERATION_SECONDS) ?? DEMO_TIMING;
  const mock = await createMockGoogle({
    port: mockPort,
    operationTiming,
    clients: [{ clientId: secrets.clientId, clientSecret: secrets.clientSecret, redirectUris: [redirectUri] }],
  });
  // DEMO_WORKLOAD=1: Scopewise acts as itself too (the mock's metadata server, audit export to its Cloud Logging).
  const workloadLines = applyDemoWorkload(env, mock.url);
  const config = loadConfig({
    ...env,
    // For the person at this machine only (generated secrets, a mock Google that signs anyone in): loopback,
    // unless HOST says otherwise.
    HOST: env.HOST || '127.0.0.1',
    OIDC_ISSUER: mock.issuer,
    OIDC_CLIENT_ID: secrets.clientId,
    OIDC_CLIENT_SECRET: secrets.clientSecret,
    // The demo's own secrets only: configuration refuses a demo start where these come from the environment.
    SESSION_SECRET: secrets.sessionSecret,
    TOKEN_KEYS: secrets.tokenKeys,
    GOOGLE_API_BASE_URL: env.GOOGLE_API_BASE_URL || mock.url,
    ALLOWED_DOMAINS: env.ALLOWED_DOMAINS ?? 'example.com',
    DEFAULT_PROJECT: env.DEFAULT_PROJECT || 'acme-prod',
    SESSION_STORE: env.SESSION_STORE || `sqlite:${path.join(dataDir, 'sessions.db')}`,
  });
  // The mock's Cross-Account Protection transmitter delivers account events to this demo's receiver.
  if (config.risc.enabled) {
    await fetch(`${mock.url}/__control/risc/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: new URL(config.risc.path, config.baseUrl).href }),
    }).then((r) => r.arrayBuffer());
  }
  console.log(`Mock Google (demo identity provider and Cloud APIs): ${mock.url}`);
  for (const line of workloadLines) console.log(line);
  console.log('Demo accounts (no password; pick one in the mock account chooser):');
  for (const a of DEMO_ACCOUNTS) console.log(`  - ${a.email}: ${a.note}`);
  return { config: { ...config, demo: true }, stop: () => mock.close() };
}
