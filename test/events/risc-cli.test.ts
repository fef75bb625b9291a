// `npm run risc -- …` against the mock's RISC API, authenticated by google-auth-library with a service
// account credentials file the mock minted for the test (no metadata server in the mock yet).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { GoogleAuth } from 'google-auth-library';
import { SignJWT, importPKCS8 } from 'jose';
import { EXIT, runRiscCli, type RiscCliIo } from '../../src/events/cli.js';
import { accountActionsFrom } from '../../src/events/execute.js';
import { createRiscReceiver } from '../../src/events/receiver.js';
import { RISC_SCOPES, type GetAuthClient } from '../../src/events/risc-api.js';
import { createRiscRouter } from '../../src/events/router.js';
import { openEventStores } from '../../src/storage/account-events/index.js';
import { TransmitterKeys } from '../../src/events/transmitter-keys.js';
import type { MockGoogle } from '../../mock-google/server.js';
import { CLIENT, mockControl, getTokens, startMock } from '../support/mock.js';

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id: string;
}

let mock: MockGoogle;
let dir: string;
let receiver: { url: string; audits: Array<{ event: string; fields: Record<string, unknown> }>; server: Server };

async function serviceAccount(body: Record<string, unknown> = {}): Promise<{ file: string; key: ServiceAccountKey }> {
  const key = (await mockControl(mock, 'risc/service-account', body)) as ServiceAccountKey;
  const file = path.join(dir, `${key.private_key_id}.json`);
  fs.writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
  return { file, key };
}

/** google-auth-library with a key file, signing its own JWT with the scopes (no token endpoint involved). */
function googleAuth(keyFile: string, seen?: string[][]): GetAuthClient {
  return (scopes) => {
    seen?.push(scopes);
    const auth = new GoogleAuth({ keyFile, scopes });
    auth.useJWTAccessWithScope = true;
    return auth;
  };
}

function io(
  extra: Partial<RiscCliIo> & { env?: Record<string, string | undefined> } = {},
): RiscCliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    ...extra,
    env: { GOOGLE_API_BASE_URL: mock.url, BASE_URL: receiver.url.replace(/\/risc$/, ''), ...(extra.env ?? {}) },
  };
}

before(async () => {
  mock = await startMock();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopewise-risc-cli-'));
  const stores = openEventStores({ kind: 'memory' });
  const audits: Array<{ event: string; fields: Record<string, unknown> }> = [];
  const noSessions = {
    endSessions: async () => 0,
    dropRefreshTokens: async () => 0,
    dropMatchingRefreshToken: async () => 0,
  };
  const app = express();
  app.use(
    '/risc',
    createRiscRouter({
      receiver: createRiscReceiver({
        keys: new TransmitterKeys({ configurationUrl: `${mock.url}/.well-known/risc-configuration` }),
        clientIds: [CLIENT.clientId],
        subjectIssuers: [mock.issuer],
        jti: stores.jti,
        accounts: accountActionsFrom({
          sessions: noSessions,
          blocks: stores.blocks,
          credentialChanges: stores.credentialChanges,
        }),
        audit: (event, fields) => audits.push({ event, fields }),
        maxAgeMs: 86_400_000,
        clockSkewMs: 300_000,
      }),
    }),
  );
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/risc`, audits, server };
});
after(async () => {
  receiver.server.closeAllConnections();
  await new Promise<void>((r) => receiver.server.close(() => r()));
  await mock.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await mockControl(mock, 'reset', {});
  receiver.audits.length = 0;
});

describe('npm run risc: against the mock RISC API with google-auth-library', () => {
  it('register → status → verify → disable → enable, each asking only for the scope it needs', async () => {
    const { file } = await serviceAccount();
    const scopes: string[][] = [];
    const getAuthClient = googleAuth(file, scopes);

    const reg = io({ getAuthClient });
    assert.equal(await runRiscCli(['register'], reg), EXIT.ok, reg.stderr.join('\n'));
    assert.match(reg.stdout.join('\n'), new RegExp(`Registered ${receiver.url}`));
    const stream = await mockControl(mock, 'risc/stream');
    assert.equal(stream.delivery.url, receiver.url);
    assert.equal(stream.events_delivered.length, 7);

    const st = io({ getAuthClient });
    assert.equal(await runRiscCli(['status'], st), EXIT.ok, st.stderr.join('\n'));
    assert.match(st.stdout.join('\n'), /Status: +enabled/);
    assert.match(st.stdout.join('\n'), /sessions-revoked/);

    const ver = io({ getAuthClient });
    assert.equal(await runRiscCli(['verify', '--state', 'cli-test-42'], ver), EXIT.ok, ver.stderr.join('\n'));
    assert.deepEqual(
      receiver.audits.map((l) => [l.event, l.fields['state']]),
      [['risc-verification', 'cli-test-42']],
      'the verification token reached the receiver',
    );

    assert.equal(await runRiscCli(['disable'], io({ getAuthClient })), EXIT.ok);
    assert.equal((await mockControl(mock, 'risc/stream')).status, 'disabled');
    assert.equal(
      (await mockControl(mock, 'risc/send', { email: 'alice@example.com', type: 'sessions-revoked' })).delivered,
      false,
      'nothing is sent while disabled',
    );
    assert.equal(await runRiscCli(['enable'], io({ getAuthClient })), EXIT.ok);
    assert.equal((await mockControl(mock, 'risc/stream')).status, 'enabled');

    assert.deepEqual(scopes, [
      [RISC_SCOPES.configurationWrite],
      [RISC_SCOPES.configurationRead],
      [RISC_SCOPES.statusRead],
      [RISC_SCOPES.verify],
      [RISC_SCOPES.statusWrite],
      [RISC_SCOPES.statusWrite],
    ]);
  });

  it('register --url and --events; the JWT of Google’s page (audience RiscManagementService) works too', async () => {
    const { key } = await serviceAccount();
    const privateKey = await importPKCS8(key.private_key, 'RS256');
    const pageStyle: GetAuthClient = () => ({
      getRequestHeaders: async () => {
        const now = Math.floor(Date.now() / 1000);
        const jwt = await new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: key.private_key_id })
          .setIssuer(key.client_email)
          .setSubject(key.client_email)
          .setAudience('https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService')
          .setIssuedAt(now)
          .setExpirationTime(now + 3600)
          .sign(privateKey);
        return { authorization: `Bearer ${jwt}` };
      },
    });
    const out = io({ getAuthClient: pageStyle });
    assert.equal(
      await runRiscCli(
        ['register', '--url', receiver.url, '--events', 'account-disabled,account-enabled,verification'],
        out,
      ),
      EXIT.ok,
      out.stderr.join('\n'),
    );
    assert.deepEqual((await mockControl(mock, 'risc/stream')).events_requested, [
      'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
      'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
      'https://schemas.openid.net/secevent/risc/event-type/verification',
    ]);
  });
});

describe('npm run risc: clear errors and exit codes', () => {
  it('a service account without roles/riscconfigs.admin → exit 4, naming the role', async () => {
    const { file } = await serviceAccount({ roles: [] });
    const out = io({ getAuthClient: googleAuth(file) });
    assert.equal(await runRiscCli(['register'], out), EXIT.refused);
    assert.match(out.stderr.join('\n'), /403 Service account needs permission/);
    assert.match(out.stderr.join('\n'), /roles\/riscconfigs\.admin/);
  });

  it('user credentials (an admin’s access token) → exit 4: only a service account may manage the stream', async () => {
    const { tokens } = await getTokens(mock, { scope: 'openid email' });
    const out = io({
      getAuthClient: () => ({ getRequestHeaders: async () => ({ authorization: `Bearer ${tokens.access_token}` }) }),
    });
    assert.equal(await runRiscCli(['status'], out), EXIT.refused);
    assert.match(out.stderr.join('\n'), /impersonate-service-account/);
  });

  it('status before any registration → exit 4 with "register first"', async () => {
    const { file } = await serviceAccount();
    const out = io({ getAuthClient: googleAuth(file) });
    assert.equal(await runRiscCli(['status'], out), EXIT.refused);
    assert.match(out.stderr.join('\n'), /npm run risc -- register/);
  });

  it('no receiver URL, a plain-http public URL, an unknown event or command → exit 2 with usage', async () => {
    const cases: Array<[string[], Record<string, string | undefined>, RegExp]> = [
      [['register'], { BASE_URL: undefined }, /no receiver URL/],
      [['register', '--url', 'http://scopewise.example.com/risc'], {}, /https/],
      [['register', '--events', 'sessions-revoked,bogus'], {}, /unknown event type "bogus"/],
      [['frobnicate'], {}, /unknown command/],
      [['status', 'extra'], {}, /unexpected argument/],
      [[], {}, /usage:/],
    ];
    for (const [argv, env, pattern] of cases) {
      const out = io({ env, getAuthClient: () => Promise.reject(new Error('must not be called')) });
      assert.equal(await runRiscCli(argv, out), EXIT.usage, argv.join(' '));
      assert.match([...out.stderr, ...out.stdout].join('\n'), pattern);
    }
  });

  it('no credentials → exit 3; the API unreachable → exit 5', async () => {
    const noCreds = io({ getAuthClient: () => Promise.reject(new Error('Could not load the default credentials.')) });
    assert.equal(await runRiscCli(['status'], noCreds), EXIT.credentials);
    assert.match(noCreds.stderr.join('\n'), /Application Default Credentials/);
    const { file } = await serviceAccount();
    const down = io({ getAuthClient: googleAuth(file), env: { GOOGLE_API_BASE_URL: 'http://127.0.0.1:9' } });
    assert.equal(await runRiscCli(['status'], down), EXIT.unavailable);
  });

  it('blocked / unblock: the operator lists and lifts sign-in blocks', async () => {
    const stores = openEventStores({ kind: 'memory' });
    await stores.blocks.block({
      sub: '100000000000000000001',
      blocked: true,
      reason: 'hijacking',
      source: 'risc',
      at: 1000,
      jti: 'j1',
    });
    const openBlocks = async () => ({ blocks: stores.blocks, close: async () => undefined });
    const list = io({ openBlocks });
    assert.equal(await runRiscCli(['blocked'], list), EXIT.ok);
    assert.match(list.stdout.join('\n'), /100000000000000000001 .*reason: hijacking/);
    const lift = io({ openBlocks, now: () => 500 });
    assert.equal(await runRiscCli(['unblock', '100000000000000000001', '--note', 'called the user'], lift), EXIT.ok);
    assert.equal(
      await stores.blocks.isBlocked('100000000000000000001'),
      null,
      'lifted even with a clock behind the event',
    );
    const again = io({ openBlocks });
    assert.equal(await runRiscCli(['unblock', '100000000000000000001'], again), EXIT.ok);
    assert.match(again.stdout.join('\n'), /is not blocked/);
  });

  it('the script itself: no arguments → usage and exit 2; no ADC at all → exit 3', async () => {
    const script = path.resolve('dist/scripts/risc.js');
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          [script, ...args],
          { env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...env }, timeout: 20_000 },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const usage = await run([], {});
    assert.equal(usage.code, EXIT.usage);
    assert.match(usage.stdout + usage.stderr, /usage: npm run risc/);
    const noAdc = await run(['status'], {
      METADATA_SERVER_DETECTION: 'none',
      GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'missing.json'),
      CLOUDSDK_CONFIG: dir,
    });
    assert.equal(noAdc.code, EXIT.credentials, noAdc.stderr);
    assert.match(noAdc.stderr, /Application Default Credentials/);
  });
});
