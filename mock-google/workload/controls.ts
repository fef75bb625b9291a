// Workload controls under /__control/ (JSON), mounted in front of the common controls. POST /reset clears the
// workload state and then continues to the common reset.
import express, { Router } from 'express';
import { z } from 'zod';
import type { MockContext } from '../context.js';
import { sendJson } from '../http.js';
import { writtenEntries } from '../cloud/apis/logging-write.js';
import { acceptedAudiences } from './run-receiver.js';
import { WORKLOAD_PROJECT, WORKLOAD_SERVICE_ACCOUNT, type WorkloadState } from './state.js';

const OutageBody = z.object({
  status: z.number().int().min(400).max(599).default(503),
  /** Omitted: until DELETE /__control/logging-outage. */
  seconds: z.number().positive().max(86_400).optional(),
});
const ReceiverBody = z.object({
  service: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
  customAudiences: z.array(z.string().min(1)).optional(),
  invokers: z.array(z.string().regex(/^(serviceAccount|user):.+$/)).optional(),
  outageStatus: z.number().int().min(400).max(599).nullable().optional(),
});
const IamBody = z.object({
  project: z.string().min(1),
  /** Default: the workload service account. */
  member: z
    .string()
    .regex(/^serviceAccount:.+$/)
    .optional(),
  roles: z.array(z.string().regex(/^roles\/.+$/)),
});

export function workloadControlsRouter(ctx: MockContext, state: WorkloadState): Router {
  const r = Router();
  r.use(express.json({ limit: '1mb' }));
  const bad = (res: express.Response, message: string) => sendJson(res, 400, { error: 'bad_request', message });
  const query = (req: express.Request, name: string) =>
    typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined;

  r.post('/reset', (_req, _res, next) => {
    state.reset();
    next();
  });

  r.get('/workload', (_req, res) => {
    sendJson(res, 200, {
      serviceAccount: WORKLOAD_SERVICE_ACCOUNT,
      project: WORKLOAD_PROJECT,
      iam: Object.fromEntries([...state.iam].map(([project, members]) => [project, Object.fromEntries(members)])),
    });
  });

  r.post('/workload-iam', (req, res) => {
    const parsed = IamBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    const member = parsed.data.member ?? `serviceAccount:${WORKLOAD_SERVICE_ACCOUNT.email}`;
    state.setRoles(parsed.data.project, member, parsed.data.roles);
    sendJson(res, 200, { project: parsed.data.project, member, roles: state.rolesOf(parsed.data.project, member) });
  });

  r.get('/logging-entries', (req, res) => {
    const entries = writtenEntries(ctx.store.cloud, { logName: query(req, 'logName'), project: query(req, 'project') });
    sendJson(res, 200, { count: entries.length, entries });
  });

  r.post('/logging-outage', (req, res) => {
    const parsed = OutageBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    const { status, seconds } = parsed.data;
    state.loggingOutage = { status, until: seconds === undefined ? undefined : Date.now() + seconds * 1000 };
    sendJson(res, 200, { outage: state.loggingOutage });
  });
  r.delete('/logging-outage', (_req, res) => {
    state.loggingOutage = null;
    sendJson(res, 200, { outage: null });
  });

  r.get('/run-receiver', (req, res) => {
    const service = query(req, 'service');
    const events = state.received.filter((e) => !service || e.service === service);
    const config = service
      ? { ...state.receiver(service), audiences: acceptedAudiences(ctx, state, service) }
      : undefined;
    sendJson(res, 200, { config, count: events.length, events });
  });
  r.post('/run-receiver', (req, res) => {
    const parsed = ReceiverBody.safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.message);
    const { service, customAudiences, invokers, outageStatus } = parsed.data;
    const config = state.receiver(service);
    if (customAudiences) config.customAudiences = [...customAudiences];
    if (invokers) config.invokers = [...invokers];
    if (outageStatus !== undefined) config.outageStatus = outageStatus;
    sendJson(res, 200, { ...config, audiences: acceptedAudiences(ctx, state, service) });
  });
  return r;
}
