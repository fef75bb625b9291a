// The mock as a RISC transmitter: its configuration document and JWKS (public), the RISC API, and the test
// controls under /__control/risc/ that send any event for any fixture user to the registered receiver.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import type { MockContext } from '../context.js';
import { sendJson } from '../http.js';
import { findUserByEmail } from '../users.js';
import { RISC_API_BASE, parseStreamConfig, riscApiRouter } from './api.js';
import { BAD_MODES, buildSet, doubleHash, pushSet, riscIssuer, type BadMode } from './set.js';
import { PUSH_DELIVERY, RISC_ADMIN_ROLE, RISC_EVENT_TYPES, RiscState, type RiscEventType } from './state.js';

export const RISC_CONFIGURATION_PATH = '/.well-known/risc-configuration';
export const RISC_JWKS_PATH = '/risc/jwks';
export const MOCK_PROJECT_ID = 'scopewise-mock';

const EVENT_NAMES = Object.keys(RISC_EVENT_TYPES) as [RiscEventType, ...RiscEventType[]];

const SendBody = z
  .object({
    email: z.string().optional(),
    sub: z.string().min(1).max(255).optional(),
    type: z.enum(EVENT_NAMES),
    reason: z.string().max(200).optional(),
    state: z.string().max(1024).optional(),
    /** token-revoked: how the token is named (default: the double hash). */
    tokenAlg: z.enum(['prefix', 'hash_base64_sha512_sha512']).optional(),
    /** token-revoked: which refresh token (default: the user's newest live one at the mock). */
    token: z.string().min(16).optional(),
    bad: z.enum(BAD_MODES).optional(),
    clientId: z.string().optional(),
    /** Deliver here instead of the registered stream (tests that skip registration). */
    url: z.string().url().optional(),
    /** token(s)-revoked: also revoke at the mock, as Google has (default true). */
    revokeAtMock: z.boolean().optional(),
  })
  .strict();

const StreamBody = z
  .object({ url: z.string().url(), events: z.array(z.enum(EVENT_NAMES)).optional(), projectId: z.string().optional() })
  .strict();
const ServiceAccountBody = z
  .object({
    email: z.string().email().optional(),
    projectId: z
      .string()
      .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/)
      .optional(),
    roles: z.array(z.string()).optional(),
  })
  .strict();

export interface RiscTransmitter {
  /** Public endpoints and the RISC API: mount before the Cloud API router. */
  router: Router;
  /** Mount at /__control/risc. */
  controls: Router;
  reset(): void;
}

export async function createRiscTransmitter(ctx: MockContext): Promise<RiscTransmitter> {
  const risc = await RiscState.create();

  const router = Router();
  router.get(RISC_CONFIGURATION_PATH, (_req, res) => {
    const base = ctx.issuer();
    res.set('Cache-Control', 'public, max-age=3600');
    sendJson(res, 200, {
      issuer: riscIssuer(ctx),
      jwks_uri: `${base}${RISC_JWKS_PATH}`,
      delivery_methods_supported: [PUSH_DELIVERY],
      configuration_endpoint: `${base}${RISC_API_BASE}/stream`,
      status_endpoint: `${base}${RISC_API_BASE}/stream/status`,
      verification_endpoint: `${base}${RISC_API_BASE}/stream:verify`,
    });
  });
  router.get(RISC_JWKS_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60, must-revalidate, no-transform');
    sendJson(res, 200, risc.keys.jwks());
  });
  router.use(riscApiRouter(ctx, risc));

  const controls = Router();
  controls.use(express.json({ limit: '64kb' }));
  const bad = (res: express.Response, status: number, message: string) =>
    sendJson(res, status, { error: 'bad_request', message });

  controls.post('/rotate-key', async (_req, res) => {
    const kid = await risc.keys.rotate();
    sendJson(res, 200, { kid, kids: risc.keys.jwks().keys.map((k) => k.kid) });
  });

  controls.get('/stream', (_req, res) => {
    const current = risc.currentStream();
    sendJson(res, 200, current ? { projectId: current.projectId, ...current.stream } : { stream: null });
  });

  // A shortcut around the RISC API for tests that do not exercise registration.
  controls.post('/stream', (req, res) => {
    const parsed = StreamBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, 400, parsed.error.message);
    const project = parsed.data.projectId ?? MOCK_PROJECT_ID;
    const events = (parsed.data.events ?? EVENT_NAMES).map((e) => RISC_EVENT_TYPES[e]);
    try {
      const stream = parseStreamConfig(
        { delivery: { delivery_method: PUSH_DELIVERY, url: parsed.data.url }, events_requested: events },
        risc.streams.get(project),
      );
      risc.streams.set(project, stream);
      sendJson(res, 200, { projectId: project, ...stream });
    } catch (err) {
      bad(res, 400, (err as Error).message);
    }
  });

  // Mints a service account key for tests of the RISC API client (the real setup would use an attached
  // service account; a key file is what google-auth-library can be pointed at without a metadata server).
  controls.post('/service-account', (req, res) => {
    const parsed = ServiceAccountBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, 400, parsed.error.message);
    const projectId = parsed.data.projectId ?? MOCK_PROJECT_ID;
    const email = parsed.data.email ?? `risc-admin@${projectId}.iam.gserviceaccount.com`;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = randomBytes(20).toString('hex');
    risc.serviceAccounts.set(email, {
      email,
      projectId,
      keyId,
      publicKey,
      roles: new Set(parsed.data.roles ?? [RISC_ADMIN_ROLE]),
    });
    sendJson(res, 200, {
      type: 'service_account',
      project_id: projectId,
      private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: String(BigInt(`0x${keyId.slice(0, 15)}`)),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      universe_domain: 'googleapis.com',
    });
  });

  controls.get('/deliveries', (_req, res) => sendJson(res, 200, { deliveries: risc.deliveries }));

  controls.post('/send', async (req, res) => {
    const parsed = SendBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, 400, parsed.error.message);
    const input = parsed.data;
    const badMode: BadMode | null = input.bad ?? null;
    const clientId = input.clientId ?? [...ctx.store.clients.keys()][0];
    if (!clientId) return bad(res, 409, 'the mock has no OAuth client');
    const uri = RISC_EVENT_TYPES[input.type];

    // Where to: an explicit url, or the registered stream (enabled, and asking for this event type).
    let url = input.url;
    if (!url) {
      const current = risc.currentStream();
      if (!current)
        return bad(res, 409, 'no receiver is registered (npm run risc -- register, or POST /__control/risc/stream)');
      if (current.stream.status !== 'enabled')
        return sendJson(res, 200, { delivered: false, reason: 'the stream is disabled' });
      if (!current.stream.events_delivered.includes(uri))
        return sendJson(res, 200, { delivered: false, reason: `the stream did not ask for ${input.type}` });
      url = current.stream.delivery.url;
    }

    if (badMode === 'replayed-jti') {
      if (!risc.lastSet) return bad(res, 409, 'nothing was sent yet to replay');
      const result = await pushSet(url, risc.lastSet.token);
      risc.deliveries.push({
        at: ctx.store.now(),
        jti: risc.lastSet.jti,
        type: input.type,
        bad: badMode,
        url,
        status: result.status,
        ...(result.error ? { error: result.error } : {}),
      });
      return sendJson(res, 200, {
        delivered: result.status !== null,
        status: result.status,
        body: result.body,
        jti: risc.lastSet.jti,
        ...(result.error ? { error: result.error } : {}),
      });
    }

    let sub = input.sub;
    if (!sub && input.email) {
      const user = findUserByEmail(input.email);
      if (!user) return bad(res, 400, `not a fixture user: ${input.email}`);
      sub = user.sub;
    }
    const subject = () => ({ subject_type: 'iss-sub', iss: riscIssuer(ctx), sub });
    let payload: Record<string, unknown>;
    switch (input.type) {
      case 'verification':
        payload = input.state === undefined ? {} : { state: input.state };
        break;
      case 'token-revoked': {
        let token = input.token;
        if (!token) {
          if (!sub) return bad(res, 400, 'token-revoked needs token, or email/sub of a user with a refresh token');
          const live = [...ctx.store.refreshTokens.values()].filter(
            (t) => t.userSub === sub && t.clientId === clientId && !t.revoked,
          );
          token = live.at(-1)?.token;
          if (!token) return bad(res, 409, 'that user holds no live refresh token at the mock');
        }
        const alg = input.tokenAlg ?? 'hash_base64_sha512_sha512';
        payload = {
          subject: {
            subject_type: 'oauth_token',
            token_type: 'refresh_token',
            token_identifier_alg: alg,
            token: alg === 'prefix' ? token.slice(0, 16) : doubleHash(token),
          },
        };
        if (input.revokeAtMock !== false && !badMode) {
          const rec = ctx.store.refreshTokens.get(token);
          if (rec) rec.revoked = true;
        }
        break;
      }
      default:
        if (!sub) return bad(res, 400, `${input.type} needs email or sub`);
        payload = {
          subject: subject(),
          ...(input.type === 'account-disabled' && input.reason ? { reason: input.reason } : {}),
        };
        if (input.type === 'tokens-revoked' && input.revokeAtMock !== false && !badMode)
          ctx.store.revokeGrant(sub, clientId);
    }

    const { token, jti } = await buildSet(ctx, risc, { aud: clientId, events: { [uri]: payload }, bad: badMode });
    const result = await pushSet(url, token, badMode === 'wrong-content-type' ? 'application/json' : undefined);
    risc.lastSet = { token, url, jti: jti ?? '' };
    risc.deliveries.push({
      at: ctx.store.now(),
      jti,
      type: input.type,
      bad: badMode,
      url,
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
    });
    sendJson(res, 200, {
      delivered: result.status !== null,
      status: result.status,
      body: result.body,
      jti: jti ?? null,
      ...(result.error ? { error: result.error } : {}),
    });
  });

  controls.use((_req, res) => sendJson(res, 404, { error: 'not_found', message: 'Unknown RISC control' }));

  return { router, controls, reset: () => risc.reset() };
}
