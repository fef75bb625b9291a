// The mock's workload side: what Scopewise meets when it acts as itself (metadata server, its own Cloud
// Logging writes, a private Cloud Run receiver). Registered in server.ts in front of the common routers.
import { Router } from 'express';
import type { MockContext } from '../context.js';
import { workloadLoggingRouter } from './logging.js';
import { metadataRouter } from './metadata.js';
import { runReceiverRouter } from './run-receiver.js';
import type { WorkloadState } from './state.js';
import { workloadTokeninfoRouter } from './tokeninfo.js';

export { WorkloadState } from './state.js';
export { workloadControlsRouter } from './controls.js';

export function workloadRouter(ctx: MockContext, state: WorkloadState): Router {
  const r = Router();
  r.use(metadataRouter(ctx));
  r.use(workloadTokeninfoRouter(ctx));
  r.use(workloadLoggingRouter(ctx, state));
  r.use(runReceiverRouter(ctx, state));
  return r;
}
