// The peer of `npm run bench`: the app many teams would write instead of Scopewise. express-openid-connect's
// `auth()` with its default (encrypted, stateless) cookie session, `requiresAuth()`, and a route that makes the
// same upstream call as Scopewise's /projects (Resource Manager projects.search) with the session's access token
// and writes an escaped HTML table. No CSP, CSRF, token vault or store: what the library gives, nothing added.
import express from 'express';
import eoc from 'express-openid-connect'; // CommonJS: no named exports in ESM
import { serveBaseline } from './baseline-server.js';

const { auth, requiresAuth } = eoc;

const port = Number(process.env.PORT ?? '0');
const mockUrl = process.env.MOCK_URL ?? '';
const baseURL = `http://127.0.0.1:${port}`;
const searchUrl = `${mockUrl}/cloudresourcemanager.googleapis.com/v3/projects:search?pageSize=50`;
const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Project {
  projectId?: string;
  displayName?: string;
  state?: string;
  createTime?: string;
}

const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ ready: true });
});
app.use(
  auth({
    issuerBaseURL: mockUrl,
    baseURL,
    clientID: process.env.PEER_CLIENT_ID ?? '',
    clientSecret: process.env.PEER_CLIENT_SECRET ?? '',
    secret: process.env.PEER_SESSION_SECRET ?? '',
    authRequired: false,
    authorizationParams: {
      response_type: 'code',
      scope: 'openid email profile https://www.googleapis.com/auth/cloud-platform.read-only',
    },
  }),
);
app.get('/projects', requiresAuth(), async (req, res, next) => {
  try {
    let token = req.oidc.accessToken;
    if (token?.isExpired()) token = await token.refresh();
    const r = await fetch(searchUrl, {
      headers: { authorization: `Bearer ${token?.access_token ?? ''}`, accept: 'application/json' },
    });
    if (!r.ok) throw new Error(`projects.search answered ${r.status}`);
    const { projects = [] } = (await r.json()) as { projects?: Project[] };
    const rows = projects.map(
      (p) =>
        `<tr><td><code>${esc(p.projectId)}</code></td><td>${esc(p.displayName)}</td><td>${esc(p.state)}</td><td>${esc(p.createTime?.slice(0, 10))}</td><td><a href="/projects/${encodeURIComponent(p.projectId ?? '')}/iam">IAM policy of ${esc(p.projectId)}</a></td></tr>`,
    );
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Projects</title></head><body><p>Signed in as ${esc(req.oidc.user?.email)}</p><h1>Projects</h1><table><thead><tr><th>Project ID</th><th>Name</th><th>State</th><th>Created</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table></body></html>`,
      );
  } catch (err) {
    next(err);
  }
});

serveBaseline(app, port);
