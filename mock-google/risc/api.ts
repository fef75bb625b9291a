// The RISC API at Google's path (/risc.googleapis.com/v1beta/…): stream configuration, status and
// verification, authenticated like Google's — a service account's self-signed JWT (the audience Google's page
// gives, or the API's URL, or scopes with `useJWTAccessWithScope`), holding roles/riscconfigs.admin.
import express, { Router, type Request, type Response } from 'express';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { MockContext } from '../context.js';
import { bearerToken, googleErrorBody, sendJson } from '../http.js';
import { buildSet, pushSet } from './set.js';
import {
  PUSH_DELIVERY,
  RISC_ADMIN_ROLE,
  RISC_API_AUDIENCE,
  RISC_EVENT_TYPES,
  type RiscState,
  type ServiceAccount,
  type Stream,
} from './state.js';

export const RISC_API_BASE = '/risc.googleapis.com/v1beta';

const SCOPE = 'https://www.googleapis.com/auth/';
/** Google's page, "Access token scopes": which scopes each endpoint accepts. */
const ENDPOINT_SCOPES: Record<string, string[]> = {
  'GET /stream': [`${SCOPE}risc.configuration.readonly`, `${SCOPE}risc.configuration.readwrite`],
  'POST /stream:update': [`${SCOPE}risc.configuration.readwrite`],
  'GET /stream/status': [`${SCOPE}risc.status.readonly`, `${SCOPE}risc.status.readwrite`],
  'POST /stream/status:update': [`${SCOPE}risc.status.readwrite`],
  'POST /stream:verify': [`${SCOPE}risc.verify`],
};

class RiscApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Caller {
  sa: ServiceAccount;
  /** 'all' for a JWT with the RISC audience (Google's page): no scopes involved. */
  scopes: Set<string> | 'all';
}

async function authenticate(ctx: MockContext, risc: RiscState, req: Request): Promise<Caller> {
  const token = bearerToken(req);
  if (!token) throw new RiscApiError(401, 'Unauthorized.');
  if (ctx.store.validAccessToken(token))
    throw new RiscApiError(403, 'Stream management APIs should only be called by a service account.');
  let iss: unknown;
  let kid: unknown;
  try {
    iss = decodeJwt(token).iss;
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new RiscApiError(401, 'Unauthorized.');
  }
  const sa = typeof iss === 'string' ? risc.serviceAccounts.get(iss) : undefined;
  if (!sa || kid !== sa.keyId) throw new RiscApiError(401, 'Unauthorized.');
  let payload: JWTPayload;
  try {
    // Signed by a real client on the real clock (not the mock's, which tests may move).
    ({ payload } = await jwtVerify(token, sa.publicKey, {
      algorithms: ['RS256'],
      issuer: sa.email,
      subject: sa.email,
      requiredClaims: ['iat', 'exp'],
      clockTolerance: 300,
    }));
  } catch {
    throw new RiscApiError(401, 'Unauthorized.');
  }
  if ((payload.exp ?? 0) - (payload.iat ?? 0) > 3600 + 60) throw new RiscApiError(401, 'Unauthorized.');
  const aud = payload.aud;
  const auds = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
  if (auds.includes(RISC_API_AUDIENCE) || auds.includes('https://risc.googleapis.com/')) return { sa, scopes: 'all' };
  if (auds.length === 0 && typeof payload['scope'] === 'string')
    return { sa, scopes: new Set(payload['scope'].split(/\s+/).filter(Boolean)) };
  throw new RiscApiError(401, 'Unauthorized.');
}

function authorize(ctx: MockContext, caller: Caller, endpoint: string): void {
  if (!caller.sa.roles.has(RISC_ADMIN_ROLE))
    throw new RiscApiError(403, 'Service account needs permission to access your RISC configuration');
  if (ctx.store.clients.size === 0)
    throw new RiscApiError(403, 'To use this API your project must have at least one OAuth client configured.');
  const wanted = ENDPOINT_SCOPES[endpoint] ?? [];
  if (caller.scopes !== 'all' && !wanted.some((s) => (caller.scopes as Set<string>).has(s)))
    throw new RiscApiError(403, 'Request had insufficient authentication scopes.');
}

function isLoopbackHttp(u: URL): boolean {
  return (
    u.protocol === 'http:' &&
    (u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname))
  );
}

/** Validates a stream:update body like Google does (the messages are Google's). */
export function parseStreamConfig(body: Record<string, unknown>, previous: Stream | undefined): Stream {
  const delivery = body['delivery'];
  if (typeof delivery !== 'object' || delivery === null)
    throw new RiscApiError(400, 'Stream configuration must contain delivery field.');
  const d = delivery as Record<string, unknown>;
  if (typeof d['delivery_method'] !== 'string')
    throw new RiscApiError(400, 'Stream configuration must contain delivery_method field.');
  if (d['delivery_method'] !== PUSH_DELIVERY)
    throw new RiscApiError(400, `Unsupported delivery method: ${d['delivery_method']}`);
  if (typeof d['url'] !== 'string') throw new RiscApiError(400, 'Stream configuration must contain url field.');
  let url: URL;
  try {
    url = new URL(d['url']);
  } catch {
    throw new RiscApiError(400, 'Stream configuration must contain url field.');
  }
  // Google only delivers to https; the mock also accepts plain http on loopback, for tests.
  if (url.protocol !== 'https:' && !isLoopbackHttp(url))
    throw new RiscApiError(403, 'The delivery endpoint must be an HTTPS URL.');
  const requested = body['events_requested'];
  if (!Array.isArray(requested) || !requested.every((e) => typeof e === 'string'))
    throw new RiscApiError(400, 'Stream configuration must contain events_requested field.');
  const supported = new Set<string>(Object.values(RISC_EVENT_TYPES));
  return {
    delivery: { delivery_method: PUSH_DELIVERY, url: url.href },
    events_requested: [...requested],
    events_delivered: requested.filter((e) => supported.has(e)),
    status: previous?.status ?? 'enabled',
  };
}

function streamBody(s: Stream): Record<string, unknown> {
  return { delivery: s.delivery, events_requested: s.events_requested, events_delivered: s.events_delivered };
}

export function riscApiRouter(ctx: MockContext, risc: RiscState): Router {
  const r = Router();
  const json = express.json({ limit: '64kb', type: () => true });
  r.use(RISC_API_BASE, json, async (req: Request, res: Response) => {
    const endpoint = `${req.method} ${req.path}`;
    try {
      if (!(endpoint in ENDPOINT_SCOPES)) throw new RiscApiError(404, `Method not found: ${req.method} ${req.path}`);
      const caller = await authenticate(ctx, risc, req);
      authorize(ctx, caller, endpoint);
      const project = caller.sa.projectId;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const stream = risc.streams.get(project);
      switch (endpoint) {
        case 'POST /stream:update': {
          const next = parseStreamConfig(body, stream);
          risc.streams.set(project, next);
          return sendJson(res, 200, streamBody(next));
        }
        case 'GET /stream':
          if (!stream) throw new RiscApiError(404, 'Project has no RISC configuration.');
          return sendJson(res, 200, streamBody(stream));
        case 'GET /stream/status':
          if (!stream) throw new RiscApiError(404, 'Project has no RISC configuration.');
          return sendJson(res, 200, { status: stream.status });
        case 'POST /stream/status:update': {
          if (!stream) throw new RiscApiError(404, 'Project has no existing RISC configuration, cannot update status.');
          if (body['status'] !== 'enabled' && body['status'] !== 'disabled')
            throw new RiscApiError(403, 'Unsupported status.');
          stream.status = body['status'];
          return sendJson(res, 200, { status: stream.status });
        }
        case 'POST /stream:verify': {
          if (!stream) throw new RiscApiError(404, 'Project has no RISC configuration.');
          const state = typeof body['state'] === 'string' ? body['state'] : undefined;
          // Sent only while the stream is enabled and asks for verification events, like Google.
          if (stream.status === 'enabled' && stream.events_delivered.includes(RISC_EVENT_TYPES.verification)) {
            const aud = [...ctx.store.clients.keys()][0] ?? '';
            const { token, jti } = await buildSet(ctx, risc, {
              aud,
              events: { [RISC_EVENT_TYPES.verification]: state === undefined ? {} : { state } },
              bad: null,
            });
            const result = await pushSet(stream.delivery.url, token);
            risc.lastSet = { token, url: stream.delivery.url, jti: jti ?? '' };
            risc.deliveries.push({
              at: ctx.store.now(),
              jti,
              type: 'verification',
              bad: null,
              url: stream.delivery.url,
              status: result.status,
              ...(result.error ? { error: result.error } : {}),
            });
          }
          return sendJson(res, 200, {});
        }
      }
    } catch (err) {
      if (err instanceof RiscApiError) return sendJson(res, err.status, googleErrorBody(err.status, err.message));
      throw err;
    }
  });
  return r;
}
