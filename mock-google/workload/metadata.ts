// The metadata server of the pretend runtime, at Google's paths under /computeMetadata/v1/. google-auth-library
// reaches it through its documented test hook, the GCE_METADATA_HOST environment variable (see gcp-metadata).
// Like Google's: every request needs `Metadata-Flavor: Google` and no `X-Forwarded-For`; every answer carries
// `Metadata-Flavor: Google` (gcp-metadata refuses an answer without it).
import { Router, type Request, type Response } from 'express';
import type { JWTPayload } from 'jose';
import type { MockContext } from '../context.js';
import { sendJson } from '../http.js';
import { DEFAULT_VM_SCOPES, WORKLOAD_PROJECT, WORKLOAD_SERVICE_ACCOUNT } from './state.js';

export const METADATA_PREFIX = '/computeMetadata/v1';
export const ID_TOKEN_TTL_SECONDS = 3600;

const ACCOUNT_NAMES = new Set(['default', WORKLOAD_SERVICE_ACCOUNT.email]);

function text(res: Response, status: number, body: string): void {
  res.status(status).set('Metadata-Flavor', 'Google').type('application/text').send(body);
}

function notFound(res: Response, path: string): void {
  res
    .status(404)
    .set('Metadata-Flavor', 'Google')
    .type('text/html; charset=UTF-8')
    .send(
      `<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p><b>404.</b> The requested URL <code>${escapeHtml(path)}</code> was not found on this server.`,
    );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `scopes=a,b` (what gcp-metadata sends), repeated `scopes=` parameters, or none (the VM's access scopes). */
export function requestedScopes(query: URLSearchParams): string[] {
  const values = query
    .getAll('scopes')
    .flatMap((v) => v.split(/[\s,]+/))
    .filter(Boolean);
  return values.length > 0 ? [...new Set(values)] : [...DEFAULT_VM_SCOPES];
}

/** The ID token of the workload service account for one audience, shaped like Google's metadata server's. */
export async function mintWorkloadIdToken(
  ctx: MockContext,
  audience: string,
  full: boolean,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims: JWTPayload = {
    iss: ctx.issuer(),
    aud: audience,
    azp: WORKLOAD_SERVICE_ACCOUNT.uniqueId,
    sub: WORKLOAD_SERVICE_ACCOUNT.uniqueId,
    ...(full ? { email: WORKLOAD_SERVICE_ACCOUNT.email, email_verified: true } : {}),
    iat,
    exp: iat + ID_TOKEN_TTL_SECONDS,
  };
  return ctx.keys.sign(claims, 'rs256');
}

function listing(entries: string[]): string {
  return `${entries.join('\n')}\n`;
}

async function serveAccount(
  ctx: MockContext,
  req: Request,
  res: Response,
  rest: string[],
  query: URLSearchParams,
): Promise<void> {
  const leaf = rest[0] ?? '';
  switch (leaf) {
    case '':
      if (query.get('recursive') === 'true') {
        return sendJson(res.set('Metadata-Flavor', 'Google'), 200, {
          aliases: ['default'],
          email: WORKLOAD_SERVICE_ACCOUNT.email,
          scopes: DEFAULT_VM_SCOPES,
        });
      }
      return text(res, 200, listing(['aliases', 'email', 'identity', 'scopes', 'token']));
    case 'aliases':
      return text(res, 200, 'default\n');
    case 'email':
      return text(res, 200, WORKLOAD_SERVICE_ACCOUNT.email);
    case 'scopes':
      return text(res, 200, listing([...DEFAULT_VM_SCOPES]));
    case 'token': {
      ctx.store.count('metadata:token');
      const scopes = requestedScopes(query);
      const bad = scopes.find((s) => !/^https:\/\/www\.googleapis\.com\/auth\/[a-z0-9._-]+$/.test(s));
      if (bad) return text(res, 400, `invalid scope: ${bad}`);
      const rec = ctx.store.issueAccessToken(
        WORKLOAD_SERVICE_ACCOUNT.uniqueId,
        WORKLOAD_SERVICE_ACCOUNT.uniqueId,
        scopes,
      );
      res.set('Cache-Control', 'no-store');
      return sendJson(res.set('Metadata-Flavor', 'Google'), 200, {
        access_token: rec.token,
        expires_in: ctx.store.settings.accessTokenTtlSeconds,
        token_type: 'Bearer',
      });
    }
    case 'identity': {
      ctx.store.count('metadata:identity');
      const audience = query.get('audience') ?? '';
      if (!audience) return text(res, 400, 'non-empty audience parameter required');
      const format = query.get('format') ?? 'standard';
      if (format !== 'standard' && format !== 'full') return text(res, 400, `invalid format: ${format}`);
      return text(res, 200, await mintWorkloadIdToken(ctx, audience, format === 'full'));
    }
    default:
      return notFound(res, req.path);
  }
}

export function metadataRouter(ctx: MockContext): Router {
  const r = Router();
  r.use(METADATA_PREFIX, async (req, res) => {
    ctx.store.count('metadata');
    if (req.get('x-forwarded-for') !== undefined) {
      return text(res, 403, 'Forbidden: requests with X-Forwarded-For are refused by the metadata server.');
    }
    if (req.get('metadata-flavor') !== 'Google') {
      return res
        .status(403)
        .set('Metadata-Flavor', 'Google')
        .type('text/html; charset=UTF-8')
        .send(
          '<!DOCTYPE html><title>Error 403 (Forbidden)!!1</title><p><b>403.</b> Your client does not have permission to get URL from this server. Missing Metadata-Flavor:Google header.',
        );
    }
    if (req.method !== 'GET') return text(res, 405, 'Method not allowed');
    const url = new URL(req.originalUrl, 'http://metadata.invalid');
    const path = url.pathname.slice(METADATA_PREFIX.length).replace(/^\/+/, '');
    const parts = path.split('/');
    const query = url.searchParams;
    const [top, second, third, ...rest] = parts;
    if (!top) return text(res, 200, listing(['instance/', 'project/', 'universe/']));
    if (top === 'project') {
      if (!second) return text(res, 200, listing(['numeric-project-id', 'project-id']));
      if (second === 'project-id') return text(res, 200, WORKLOAD_PROJECT.projectId);
      if (second === 'numeric-project-id') return text(res, 200, WORKLOAD_PROJECT.numericId);
      return notFound(res, url.pathname);
    }
    if (top === 'universe') {
      if (second === 'universe-domain') return text(res, 200, 'googleapis.com');
      return notFound(res, url.pathname);
    }
    if (top !== 'instance') return notFound(res, url.pathname);
    if (!second) return text(res, 200, listing(['id', 'name', 'service-accounts/', 'zone']));
    if (second === 'id') return text(res, 200, '4520031799277581759');
    if (second === 'name') return text(res, 200, 'scopewise-1');
    if (second === 'zone')
      return text(res, 200, `projects/${WORKLOAD_PROJECT.numericId}/zones/${WORKLOAD_PROJECT.zone}`);
    if (second !== 'service-accounts') return notFound(res, url.pathname);
    if (!third) return text(res, 200, listing(['default/', `${WORKLOAD_SERVICE_ACCOUNT.email}/`]));
    if (!ACCOUNT_NAMES.has(third)) return notFound(res, url.pathname);
    return serveAccount(ctx, req, res, rest, query);
  });
  return r;
}
