// The Google Cloud feature pages. Each route validates its input, runs behind its feature's readiness
// gate, calls Google with the session's token, and renders a table (views/feature-list.eta).
import { Router, type Request } from 'express';
import { z } from 'zod';
import * as google from '../google/index.js';
import { audit } from '../log/audit.js';
import { HttpError } from '../web/errors.js';
import { callGoogle } from './access.js';
import { featurePage, parseInput, projectId, zone, region, instanceName, bucketName, pageToken, serviceAccountEmail, emptyToUndefined } from './page.js';
import { featureById, type FeatureRuntime } from './runtime.js';

export type Cell = string | number | { text: string; href?: string; status?: string; code?: boolean } | { actions: Array<{ href: string; label: string }> };

export interface ListPage {
  title: string;
  heading: string;
  intro?: string;
  featureId: string;
  form?: { action: string; fields: Array<{ name: string; label: string; value?: string; placeholder?: string; hint?: string; options?: string[] }> };
  columns: string[];
  rows: Cell[][];
  empty: string;
  next?: string;
  back?: { href: string; label: string };
  notices?: string[];
}

const projectQuery = z.object({
  project: z.preprocess(emptyToUndefined, projectId.optional()),
  pageToken,
});

/** The project to show: the one asked for (remembered), else the last one, else the configured default. */
function chooseProject(rt: FeatureRuntime, req: Request, asked: string | undefined): string | undefined {
  if (asked) {
    req.session.lastProject = asked;
    return asked;
  }
  return req.session.lastProject ?? rt.defaultProject;
}

function nextHref(path: string, params: Record<string, string | undefined>, token: string | undefined): string | undefined {
  if (!token) return undefined;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  q.set('pageToken', token);
  return `${path}?${q.toString()}`;
}

const projectField = (project: string | undefined) => ({ name: 'project', label: 'Project ID', placeholder: 'my-project-123', ...(project ? { value: project } : {}) });
const fmtDate = (s: string | undefined) => (s ? s.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '');
const fmtBytes = (n: string | number | undefined) => {
  const v = Number(n ?? 0);
  if (!Number.isFinite(v)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? x : x.toFixed(1)} ${units[i]}`;
};
const lastSegment = (s: string | undefined) => (s ? s.slice(s.lastIndexOf('/') + 1) : '');

/** The VM table's rows: name, zone, status, machine type, and the stop or start link. */
export function vmRows(project: string, instances: readonly google.FlatInstance[]): Cell[][] {
  return instances.map((i) => {
    const running = i.status === 'RUNNING';
    const params = new URLSearchParams({ project, zone: i.zone, instance: i.name, action: running ? 'stop' : 'start' });
    return [
      { text: i.name, code: true },
      i.zone,
      { text: i.status ?? 'UNKNOWN', status: i.status ?? 'UNKNOWN' },
      lastSegment(i.machineType),
      { actions: [{ href: `/vms/power?${params.toString()}`, label: `${running ? 'Stop' : 'Start'} ${i.name}` }] },
    ];
  });
}

export function featurePages(rt: FeatureRuntime): Router {
  const router = Router();
  const show = (req: Request, res: import('express').Response, page: ListPage) => {
    const feature = featureById(rt, page.featureId);
    rt.render(req, res, 'feature-list', { ...page, feature });
  };

  // Projects ---------------------------------------------------------------------------------------
  router.get('/projects', ...featurePage(rt, 'projects', async (req, res, access) => {
    const q = parseInput(z.object({ pageToken }), req.query);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.searchProjects(ctx, { pageToken: q.pageToken, pageSize: 50 }));
    show(req, res, {
      title: 'Projects', heading: 'Projects', featureId: 'projects',
      intro: 'The Google Cloud projects your account can see.',
      columns: ['Project ID', 'Name', 'State', 'Created', ''],
      rows: out.projects.map((p) => [
        { text: p.projectId ?? '', code: true },
        p.displayName ?? '',
        p.state ?? '',
        fmtDate(p.createTime),
        { actions: [{ href: `/projects/${encodeURIComponent(p.projectId ?? '')}/iam`, label: `IAM policy of ${p.projectId}` }] },
      ]),
      empty: 'Your account sees no projects.',
      next: nextHref('/projects', {}, out.nextPageToken),
    });
  }));

  router.get('/projects/:projectId/iam', ...featurePage(rt, 'projects', async (req, res, access) => {
    const { projectId: id } = parseInput(z.object({ projectId }), req.params);
    const policy = await callGoogle(rt, req, access.feature, (ctx) => google.getIamPolicy(ctx, { projectId: id }));
    show(req, res, {
      title: `IAM policy of ${id}`, heading: `IAM policy of ${id}`, featureId: 'projects',
      intro: 'Who holds which role on this project.',
      columns: ['Role', 'Members'],
      rows: policy.bindings.map((b) => [{ text: b.role ?? '', code: true }, (b.members ?? []).join(', ')]),
      empty: 'This project has no IAM bindings.',
      back: { href: '/projects', label: 'All projects' },
    });
  }));

  // VMs ----------------------------------------------------------------------------------------------
  router.get('/vms', ...featurePage(rt, 'vms', async (req, res, access) => {
    const q = parseInput(projectQuery, req.query);
    const project = chooseProject(rt, req, q.project);
    const base: ListPage = {
      title: 'Virtual machines', heading: 'Virtual machines', featureId: 'vms',
      intro: 'Compute Engine instances of a project, across all zones.',
      form: { action: '/vms', fields: [projectField(project)] },
      columns: ['Name', 'Zone', 'Status', 'Machine type', 'Actions'], rows: [],
      empty: project ? `No VM instances in ${project}.` : 'Choose a project.',
    };
    if (!project) return show(req, res, base);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.listInstancesAggregated(ctx, { project, pageToken: q.pageToken, maxResults: 100 }));
    show(req, res, {
      ...base,
      rows: vmRows(project, out.instances),
      next: nextHref('/vms', { project }, out.nextPageToken),
      ...(out.unreachable?.length ? { notices: [`Google could not reach these zones: ${out.unreachable.join(', ')}. Their VMs are not listed.`] } : {}),
    });
  }));

  const powerInput = z.object({ project: projectId, zone, instance: instanceName, action: z.enum(['stop', 'start'], { error: 'expected stop or start' }) });

  router.get('/vms/power', ...featurePage(rt, 'vm-power', async (req, res) => {
    const p = parseInput(powerInput, req.query);
    rt.render(req, res, 'vm-power', { title: `${p.action === 'stop' ? 'Stop' : 'Start'} ${p.instance}`, ...p });
  }));

  router.post('/vms/power', rt.requireUser, rt.csrf.protect, ...featurePage(rt, 'vm-power', async (req, res, access) => {
    const p = parseInput(powerInput, { project: req.body?.project, zone: req.body?.zone, instance: req.body?.instance, action: req.body?.action });
    const user = req.session.user!;
    let operation: google.Operation;
    try {
      operation = await callGoogle(rt, req, access.feature, (ctx) =>
        (p.action === 'stop' ? google.stopInstance : google.startInstance)(ctx, { project: p.project, zone: p.zone, instance: p.instance }));
    } catch (err) {
      audit(rt.logger, 'feature-action', { sub: user.sub, feature: 'vm-power', action: p.action, project: p.project, zone: p.zone, instance: p.instance, result: 'failed', error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    audit(rt.logger, 'feature-action', { sub: user.sub, feature: 'vm-power', action: p.action, project: p.project, zone: p.zone, instance: p.instance, result: operation.status ?? 'UNKNOWN', operation: operation.name });
    rt.render(req, res, 'vm-operation', { title: `${p.action === 'stop' ? 'Stopping' : 'Starting'} ${p.instance}`, ...p, operation });
  }, {
    // After a consent asked from here, come back to the confirmation page of the same action.
    returnTo: (req) => {
      const r = powerInput.safeParse({ project: req.body?.project, zone: req.body?.zone, instance: req.body?.instance, action: req.body?.action });
      return r.success ? `/vms/power?${new URLSearchParams(r.data).toString()}` : '/vms';
    },
  }));

  // Buckets ------------------------------------------------------------------------------------------
  router.get('/buckets', ...featurePage(rt, 'buckets', async (req, res, access) => {
    const q = parseInput(projectQuery, req.query);
    const project = chooseProject(rt, req, q.project);
    const base: ListPage = {
      title: 'Storage buckets', heading: 'Storage buckets', featureId: 'buckets',
      intro: 'Cloud Storage buckets of a project.',
      form: { action: '/buckets', fields: [projectField(project)] },
      columns: ['Bucket', 'Location', 'Storage class', 'Created'], rows: [],
      empty: project ? `No buckets in ${project}.` : 'Choose a project.',
    };
    if (!project) return show(req, res, base);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.listBuckets(ctx, { project, pageToken: q.pageToken, maxResults: 100 }));
    show(req, res, {
      ...base,
      rows: out.buckets.map((b) => [
        { text: b.name, href: `/buckets/${encodeURIComponent(b.name)}`, code: true },
        b.location ?? '',
        b.storageClass ?? '',
        fmtDate(b.timeCreated),
      ]),
      next: nextHref('/buckets', { project }, out.nextPageToken),
    });
  }));

  router.get('/buckets/:bucket', ...featurePage(rt, 'buckets', async (req, res, access) => {
    const { bucket } = parseInput(z.object({ bucket: bucketName }), req.params);
    const q = parseInput(z.object({ prefix: z.preprocess(emptyToUndefined, z.string({ error: 'expected a single value' }).max(1024).optional()), pageToken }), req.query);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.listObjects(ctx, { bucket, prefix: q.prefix, delimiter: '/', pageToken: q.pageToken, maxResults: 100 }));
    const here = `/buckets/${encodeURIComponent(bucket)}`;
    show(req, res, {
      title: `Objects in ${bucket}`, heading: `Objects in ${bucket}`, featureId: 'buckets',
      ...(q.prefix ? { intro: `Folder ${q.prefix}` } : {}),
      columns: ['Name', 'Size', 'Type', 'Updated'],
      rows: [
        ...out.prefixes.map((p): Cell[] => [{ text: p, href: `${here}?prefix=${encodeURIComponent(p)}`, code: true }, 'folder', '', '']),
        ...out.objects.map((o): Cell[] => [{ text: o.name, code: true }, fmtBytes(o.size), o.contentType ?? '', fmtDate(o.updated)]),
      ],
      empty: 'This bucket holds no objects here.',
      next: nextHref(here, { prefix: q.prefix }, out.nextPageToken),
      back: { href: '/buckets', label: 'All buckets' },
    });
  }));

  // Logs ---------------------------------------------------------------------------------------------
  router.get('/logs', ...featurePage(rt, 'logs', async (req, res, access) => {
    const q = parseInput(projectQuery.extend({ filter: z.preprocess(emptyToUndefined, z.string({ error: 'expected a single value' }).max(2000, 'at most 2000 characters').optional()) }), req.query);
    const project = chooseProject(rt, req, q.project);
    const base: ListPage = {
      title: 'Logs', heading: 'Logs', featureId: 'logs',
      intro: 'Recent Cloud Logging entries, newest first. The filter uses the Logging query language, e.g. severity>=ERROR.',
      form: { action: '/logs', fields: [projectField(project), { name: 'filter', label: 'Filter', placeholder: 'severity>=WARNING', ...(q.filter ? { value: q.filter } : {}) }] },
      columns: ['Time', 'Severity', 'Log', 'Message'], rows: [],
      empty: project ? 'No log entries match.' : 'Choose a project.',
    };
    if (!project) return show(req, res, base);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.listLogEntries(ctx, { projectId: project, filter: q.filter, pageSize: 50, pageToken: q.pageToken }));
    show(req, res, {
      ...base,
      rows: out.entries.map((e) => [
        fmtDate(e.timestamp),
        { text: e.severity ?? 'DEFAULT', status: e.severity ?? 'DEFAULT' },
        lastSegment(e.logName ? decodeURIComponent(e.logName) : ''),
        e.textPayload ?? (e.jsonPayload ? JSON.stringify(e.jsonPayload).slice(0, 500) : e.protoPayload ? JSON.stringify(e.protoPayload).slice(0, 500) : ''),
      ]),
      next: nextHref('/logs', { project, filter: q.filter }, out.nextPageToken),
    });
  }));

  // Cloud Run ----------------------------------------------------------------------------------------
  router.get('/cloud-run', ...featurePage(rt, 'cloud-run', async (req, res, access) => {
    const q = parseInput(projectQuery.extend({ region: z.preprocess(emptyToUndefined, region.optional()) }), req.query);
    const project = chooseProject(rt, req, q.project);
    const reg = q.region ?? 'us-central1';
    const base: ListPage = {
      title: 'Cloud Run services', heading: 'Cloud Run services', featureId: 'cloud-run',
      intro: 'Cloud Run services of a project in one region.',
      form: { action: '/cloud-run', fields: [projectField(project), { name: 'region', label: 'Region', value: reg, placeholder: 'us-central1' }] },
      columns: ['Service', 'URL', 'Last deployed by', 'Updated'], rows: [],
      empty: project ? `No Cloud Run services in ${project} (${reg}).` : 'Choose a project.',
    };
    if (!project) return show(req, res, base);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.listServices(ctx, { projectId: project, region: reg, pageToken: q.pageToken, pageSize: 50 }));
    show(req, res, {
      ...base,
      rows: out.services.map((s) => [
        { text: lastSegment(s.name), code: true },
        s.uri ? { text: s.uri } : '',
        s.lastModifier ?? s.creator ?? '',
        fmtDate(s.updateTime),
      ]),
      next: nextHref('/cloud-run', { project, region: reg }, out.nextPageToken),
    });
  }));

  // Service accounts -----------------------------------------------------------------------------------
  router.get('/service-accounts', ...featurePage(rt, 'service-accounts', async (req, res, access) => {
    const q = parseInput(projectQuery, req.query);
    const project = chooseProject(rt, req, q.project);
    const base: ListPage = {
      title: 'Service accounts', heading: 'Service accounts', featureId: 'service-accounts',
      intro: 'Service accounts of a project; open one to see its keys.',
      form: { action: '/service-accounts', fields: [projectField(project)] },
      columns: ['E-mail', 'Name', 'Disabled', ''], rows: [],
      empty: project ? `No service accounts in ${project}.` : 'Choose a project.',
    };
    if (!project) return show(req, res, base);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.listServiceAccounts(ctx, { projectId: project, pageToken: q.pageToken, pageSize: 20 }));
    show(req, res, {
      ...base,
      rows: out.accounts.map((a) => [
        { text: a.email ?? '', code: true },
        a.displayName ?? '',
        a.disabled ? 'yes' : 'no',
        { actions: [{ href: `/service-accounts/${encodeURIComponent(a.email ?? '')}/keys?project=${encodeURIComponent(project)}`, label: `Keys of ${a.email}` }] },
      ]),
      next: nextHref('/service-accounts', { project }, out.nextPageToken),
    });
  }));

  router.get('/service-accounts/:email/keys', ...featurePage(rt, 'service-accounts', async (req, res, access) => {
    const { email } = parseInput(z.object({ email: serviceAccountEmail }), req.params);
    const q = parseInput(z.object({ project: projectId }), req.query);
    const out = await callGoogle(rt, req, access.feature, (ctx) => google.listServiceAccountKeys(ctx, { projectId: q.project, serviceAccountEmail: email }));
    show(req, res, {
      title: `Keys of ${email}`, heading: `Keys of ${email}`, featureId: 'service-accounts',
      intro: 'User-managed keys are long-lived credentials: review old ones.',
      columns: ['Key ID', 'Type', 'Valid from', 'Valid until'],
      rows: out.keys.map((k) => [{ text: lastSegment(k.name), code: true }, k.keyType ?? '', fmtDate(k.validAfterTime), fmtDate(k.validBeforeTime)]),
      empty: 'This service account has no keys.',
      back: { href: `/service-accounts?project=${encodeURIComponent(q.project)}`, label: 'All service accounts' },
    });
  }));

  router.all('/vms/power', (_req, _res, next) => next(new HttpError(405, 'METHOD_NOT_ALLOWED', 'Not allowed', 'Use the buttons on the VM page.')));
  return router;
}
