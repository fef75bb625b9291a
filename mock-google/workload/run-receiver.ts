// A private ("require authentication") Cloud Run service, at /cloudrun/<service>/<path>. Like Cloud Run's
// front end it checks the Google-signed ID token before the service sees the request: signature against the
// mock's JWKS, `iss`, expiry and `aud` → 401 when any is wrong; then roles/run.invoker → 403. Accepted requests
// are recorded (GET /__control/run-receiver). A real service's URL is an origin; the mock serves every service
// under its own origin, so the accepted audiences are the mock's origin (with or without a trailing slash), the
// service's URL `<origin>/cloudrun/<service>`, and any custom audiences set through the control.
import express, { Router, type Request, type Response } from 'express';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { MockContext } from '../context.js';
import type { WorkloadState } from './state.js';

export const RECEIVER_PREFIX = '/cloudrun';

const parseBody = express.json({ limit: '1mb', type: () => true });

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: Response, status: 401 | 403, path: string): void {
  const title = status === 401 ? '401 Unauthorized' : '403 Forbidden';
  const heading = status === 401 ? 'Error: Unauthorized' : 'Error: Forbidden';
  const detail =
    status === 401
      ? `Your client does not have permission to the requested URL <code>${escapeHtml(path)}</code>.`
      : `Your client does not have permission to get URL <code>${escapeHtml(path)}</code> from this server.`;
  if (status === 401)
    res.set(
      'WWW-Authenticate',
      'Bearer error="invalid_token" error_description="The access token could not be verified"',
    );
  res
    .status(status)
    .type('text/html; charset=UTF-8')
    .send(
      `<html><head><meta http-equiv="content-type" content="text/html;charset=utf-8"><title>${title}</title></head><body text=#000000 bgcolor=#ffffff><h1>${heading}</h1><h2>${detail}</h2><h2></h2></body></html>`,
    );
}

function presentedToken(req: Request): string | undefined {
  // Cloud Run also reads X-Serverless-Authorization, which takes precedence when both are sent.
  const header = req.get('x-serverless-authorization') ?? req.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

export function acceptedAudiences(ctx: MockContext, state: WorkloadState, service: string): string[] {
  const origin = ctx.issuer();
  return [origin, `${origin}/`, `${origin}${RECEIVER_PREFIX}/${service}`, ...state.receiver(service).customAudiences];
}

/** Verifies an ID token as Cloud Run does; the verified claims, or undefined (→ 401). */
export async function verifyInvokerToken(
  ctx: MockContext,
  token: string,
  audiences: readonly string[],
): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(ctx.keys.jwks()), {
      issuer: ctx.issuer(),
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'iat'],
    });
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!aud.some((a) => typeof a === 'string' && audiences.includes(a))) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

export function runReceiverRouter(ctx: MockContext, state: WorkloadState): Router {
  const r = Router();
  r.use(`${RECEIVER_PREFIX}/:service`, async (req, res) => {
    const service = String(req.params['service'] ?? '');
    ctx.store.count('run-receiver');
    const config = state.receiver(service);
    const path = req.originalUrl.split('?')[0] ?? '';
    const token = presentedToken(req);
    const claims = token ? await verifyInvokerToken(ctx, token, acceptedAudiences(ctx, state, service)) : undefined;
    if (!claims) return page(res, 401, path);
    const principal =
      typeof claims.email === 'string' && claims['email_verified'] === true
        ? `serviceAccount:${claims.email}`
        : undefined;
    if (!principal || !config.invokers.includes(principal)) return page(res, 403, path);
    if (config.outageStatus !== null) {
      res.status(config.outageStatus).type('text/plain; charset=utf-8').send('Service Unavailable');
      return;
    }
    const parsed = await new Promise<{ ok: boolean; body: unknown }>((resolve) => {
      parseBody(req, res, (err?: unknown) =>
        resolve(err ? { ok: false, body: undefined } : { ok: true, body: req.body }),
      );
    });
    if (!parsed.ok) {
      res.status(400).type('text/plain; charset=utf-8').send('Bad Request: the body is not JSON');
      return;
    }
    const body = parsed.body;
    state.received.push({
      service,
      method: req.method,
      path,
      receivedAt: new Date().toISOString(),
      principal: String(claims.email),
      audience: String(claims.aud),
      idempotencyKey: req.get('idempotency-key'),
      body,
    });
    res.status(200).json({ ok: true });
  });
  return r;
}
