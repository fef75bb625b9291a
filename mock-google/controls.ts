// Test controls under /__control/ (JSON). Mock only; see docs/contracts.md.
import express, { Router } from 'express';
import { z } from 'zod';
import type { MockContext } from './context.js';
import { sendJson } from './http.js';
import { HOSTILE_MODES, isHostileMode } from './hostile.js';
import { formatScopes } from './scopes.js';
import { DEFAULT_REFRESH_TOKEN_CAP, ENDPOINTS, PROMPT_NONE_ERRORS } from './state.js';
import { findUserByEmail } from './users.js';

const SettingsBody = z.object({
  accessTokenTtlSeconds: z.number().int().min(1).max(86_400).optional(),
  autoApprove: z.object({ email: z.string() }).nullable().optional(),
  refreshTokenCap: z.number().int().min(1).max(DEFAULT_REFRESH_TOKEN_CAP).optional(),
  publishingStatus: z.enum(['production', 'testing']).optional(),
  promptNoneError: z.enum(PROMPT_NONE_ERRORS).nullable().optional(),
  grantLifetimeSeconds: z
    .number()
    .int()
    .min(1)
    .max(400 * 86_400)
    .nullable()
    .optional(),
});
const ClockBody = z.object({
  advanceSeconds: z
    .number()
    .int()
    .min(0)
    .max(400 * 86_400),
});
const EmailBody = z.object({ email: z.string(), clientId: z.string().optional() });
const InjectBody = z.object({
  endpoint: z.string().refine((e) => (ENDPOINTS as readonly string[]).includes(e) || /^api:.+/.test(e), {
    message: `endpoint must be one of ${ENDPOINTS.join('|')} or api:<methods.json key>`,
  }),
  status: z.number().int().min(100).max(599).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  body: z.unknown().optional(),
  times: z.number().int().min(1).default(1),
});
const HostileBody = z.object({ mode: z.string().nullable() });
const OperationsBody = z.object({
  pendingMs: z.number().int().min(0).max(600_000),
  runningMs: z.number().int().min(0).max(600_000),
});

export function controlsRouter(ctx: MockContext): Router {
  const r = Router();
  const { store } = ctx;
  r.use(express.json({ limit: '1mb' }));
  const bad = (res: express.Response, message: string) => sendJson(res, 400, { error: 'bad_request', message });

  r.post('/reset', (_req, res) => {
    store.reset();
    ctx.keys.reset();
    sendJson(res, 200, { ok: true });
  });

  r.get('/settings', (_req, res) => sendJson(res, 200, store.settings));
  r.post('/settings', (req, res) => {
    const parsed = SettingsBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    const { accessTokenTtlSeconds, autoApprove, grantLifetimeSeconds } = parsed.data;
    if (autoApprove && !findUserByEmail(autoApprove.email))
      return bad(res, `autoApprove.email is not a fixture user: ${autoApprove.email}`);
    if (accessTokenTtlSeconds !== undefined) store.settings.accessTokenTtlSeconds = accessTokenTtlSeconds;
    if (autoApprove !== undefined) store.settings.autoApprove = autoApprove;
    const { refreshTokenCap, publishingStatus, promptNoneError } = parsed.data;
    if (refreshTokenCap !== undefined) store.settings.refreshTokenCap = refreshTokenCap;
    if (publishingStatus !== undefined) store.settings.publishingStatus = publishingStatus;
    if (promptNoneError !== undefined) store.settings.promptNoneError = promptNoneError;
    if (grantLifetimeSeconds !== undefined) store.settings.grantLifetimeSeconds = grantLifetimeSeconds;
    sendJson(res, 200, store.settings);
  });

  // The mock's clock (codes, access tokens, Testing refresh tokens and time-limited grants expire by it): only
  // ever moves forward.
  r.get('/clock', (_req, res) =>
    sendJson(res, 200, { offsetSeconds: store.clockOffsetMs / 1000, now: new Date(store.now()).toISOString() }),
  );
  r.post('/clock', (req, res) => {
    const parsed = ClockBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    store.clockOffsetMs += parsed.data.advanceSeconds * 1000;
    sendJson(res, 200, { offsetSeconds: store.clockOffsetMs / 1000, now: new Date(store.now()).toISOString() });
  });

  r.post('/revoke-grant', (req, res) => {
    const parsed = EmailBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    const user = findUserByEmail(parsed.data.email);
    if (!user) return bad(res, `not a fixture user: ${parsed.data.email}`);
    let revoked = 0;
    for (const g of store.grants.values()) {
      if (g.userSub !== user.sub || (parsed.data.clientId && g.clientId !== parsed.data.clientId)) continue;
      store.revokeGrant(g.userSub, g.clientId);
      revoked++;
    }
    sendJson(res, 200, { ok: true, revoked });
  });

  r.post('/inject', (req, res) => {
    const parsed = InjectBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    const { endpoint, status, delayMs, body, times } = parsed.data;
    if (status === undefined && delayMs === undefined) return bad(res, 'give status and/or delayMs');
    store.injections.push({ endpoint, status, delayMs, body, times });
    sendJson(res, 200, { ok: true, pending: store.injections.length });
  });

  r.get('/counts', (_req, res) => sendJson(res, 200, store.counts));

  r.post('/rotate-key', async (_req, res) => {
    const kid = await ctx.keys.rotate();
    sendJson(res, 200, { kid, kids: ctx.keys.jwks().keys.map((k) => k.kid) });
  });

  r.get('/grants', (req, res) => {
    const email = typeof req.query['email'] === 'string' ? req.query['email'] : '';
    const clientId = typeof req.query['clientId'] === 'string' ? req.query['clientId'] : undefined;
    const user = findUserByEmail(email);
    if (!user) return bad(res, `not a fixture user: ${email}`);
    const grants = [...store.grants.values()].filter(
      (g) => g.userSub === user.sub && (!clientId || g.clientId === clientId),
    );
    const scopes = new Set(grants.flatMap((g) => [...g.scopes]));
    const refreshTokens = [...store.refreshTokens.values()].filter(
      (t) => t.userSub === user.sub && (!clientId || t.clientId === clientId) && !t.revoked,
    ).length;
    sendJson(res, 200, {
      scopes: formatScopes(scopes).split(' ').filter(Boolean),
      revoked: grants.length > 0 && grants.every((g) => g.revoked),
      refreshTokens,
      clients: grants.map((g) => g.clientId),
    });
  });

  // How long VM stops and starts take from now on (until reset), and the operations so far.
  r.get('/operations', (_req, res) =>
    sendJson(res, 200, { timing: store.cloud.operationTiming, operations: store.cloud.operations }),
  );
  r.post('/operations', (req, res) => {
    const parsed = OperationsBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    store.cloud.operationTiming = parsed.data;
    sendJson(res, 200, { timing: store.cloud.operationTiming });
  });

  r.get('/hostile', (_req, res) => sendJson(res, 200, { mode: store.hostile, modes: HOSTILE_MODES }));
  r.post('/hostile', (req, res) => {
    const parsed = HostileBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    const { mode } = parsed.data;
    if (mode !== null && !isHostileMode(mode))
      return bad(res, `unknown mode ${mode}; one of ${HOSTILE_MODES.join(', ')}`);
    store.hostile = mode;
    sendJson(res, 200, { mode: store.hostile });
  });

  r.use((_req, res) => sendJson(res, 404, { error: 'not_found', message: 'Unknown control' }));
  return r;
}
