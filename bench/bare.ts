// The bare baseline: an Express app with no session, no sign-in, no vault, no security middleware, that
// makes the same upstream call as Scopewise's GET /projects and GET /vms (the same typed Google client and page
// spec, with a token it was given in its environment) and renders the same page with the same templates. It is the floor for any
// Express app that wraps this API; Scopewise's own cost per request is its difference from this.
import express from 'express';
import { Eta } from 'eta';
import * as google from '../src/google/index.js';
import { VIEWS_DIR } from '../src/web/render.js';
import { navEntries } from '../src/scopes/index.js';
import { vmColumns } from '../src/features/pages/vms.js';
import { rowOf } from '../src/features/pages/project-field.js';
import { projectsPage } from '../src/features/pages/projects.js';
import { serveBaseline } from './baseline-server.js';

const port = Number(process.env.PORT ?? '0');
const apiBase = process.env.GOOGLE_API_BASE_URL ?? '';
const accessToken = process.env.BENCH_ACCESS_TOKEN ?? '';
const nav = navEntries();
const user = { sub: '100000000000000000001', email: 'alice@example.com', name: 'Alice Admin' };

const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: false });

const app = express();
app.disable('x-powered-by');
app.set('query parser', 'simple');
app.get('/healthz', (_req, res) => {
  res.json({ ready: true });
});
const common = { user, demo: false, nav, csrfToken: 'bench-constant-csrf-token-0123456789abcdef' };
app.get('/projects', async (_req, res, next) => {
  try {
    const input = { q: {}, project: undefined };
    const out = await projectsPage.load({ accessToken, apiBaseOverride: apiBase, timeoutMs: 10_000 }, input);
    const html = eta.render('./feature-list', {
      title: 'Projects',
      heading: 'Projects',
      notices: [],
      intro: projectsPage.intro?.(input),
      columns: projectsPage.columns,
      empty: projectsPage.empty(input),
      rows: out.rows,
      ...common,
    });
    res.status(200).type('html').send(html);
  } catch (err) {
    next(err);
  }
});
app.get('/vms', async (req, res, next) => {
  try {
    const project = typeof req.query.project === 'string' ? req.query.project : 'acme-prod';
    const out = await google.listInstancesAggregated(
      { accessToken, apiBaseOverride: apiBase, timeoutMs: 10_000 },
      { project, maxResults: 100 },
    );
    const html = eta.render('./feature-list', {
      title: 'Virtual machines',
      heading: 'Virtual machines',
      notices: [],
      intro: 'Compute Engine instances of a project, across all zones.',
      form: {
        action: '/vms',
        fields: [{ name: 'project', label: 'Project ID', placeholder: 'my-project-123', value: project }],
      },
      columns: vmColumns.map((c) => c.header),
      empty: `No VM instances in ${project}.`,
      rows: out.instances.map((i) => rowOf(vmColumns, i, project)),
      user,
      demo: false,
      nav,
      csrfToken: 'bench-constant-csrf-token-0123456789abcdef',
    });
    res.status(200).type('html').send(html);
  } catch (err) {
    next(err);
  }
});

serveBaseline(app, port);
