// The features of Scopewise, as data (pages/*) run by one engine (engine.ts), plus consent and the account
// pages. Adding a feature: a catalogue entry (src/scopes/catalogue.ts), a page spec here, and its Google client
// calls (src/google/); see the README's "Adding a feature".
import { Router, type Request } from 'express';
import { featureReadiness, navEntries, scopeDescription, type Discovery, type Feature } from '../scopes/index.js';
import { buildMethodIndex } from '../workloads/index.js';
import type { FeatureCard } from '../web/views.js';
import { accountRoutes, type AccountDeps } from './account.js';
import { consentRoutes } from './consent.js';
import { FeatureEngine, type EngineDeps } from './engine.js';
import { bucketsPage, objectsPage } from './pages/buckets.js';
import { cloudRunPage } from './pages/cloud-run.js';
import { logsPage } from './pages/logs.js';
import { projectIamPage, projectsPage } from './pages/projects.js';
import { serviceAccountKeysPage, serviceAccountsPage } from './pages/service-accounts.js';
import { vmPowerAction, vmsPage } from './pages/vms.js';
import { vmOperationApi, vmOperationPage } from './pages/vm-operation.js';
import { workloadReviewPage } from './pages/workloads.js';
import type { PageSpec } from './spec.js';

export { FeatureEngine, FeatureAccessError, parseInput, formatWhen, type SignedIn } from './engine.js';
export type { AccountSessions, CredentialNotices } from './account.js';

export interface FeatureModuleDeps extends Omit<EngineDeps, 'catalogue' | 'discovery'>, Omit<AccountDeps, 'engine'> {
  catalogue: readonly Feature[];
  discovery: Discovery;
  /** Regions the workload review reads Cloud Run and Workflows in. */
  workloadRegions: readonly string[];
  /** Where Scopewise exports its own audit trail (AUDIT_SINK), for the Logs page's link to it. */
  auditLog?: { projectId: string; logId: string } | undefined;
}

/** Every page spec, in the order they are mounted (more specific routes first where they share a prefix). */
export function pageSpecs(deps: {
  discovery: Discovery;
  workloadRegions: readonly string[];
  now(): number;
  auditLog?: { projectId: string; logId: string } | undefined;
}): PageSpec[] {
  return [
    projectsPage,
    projectIamPage,
    vmPowerAction,
    vmOperationPage,
    vmOperationApi,
    vmsPage,
    bucketsPage,
    objectsPage,
    logsPage({ auditLog: deps.auditLog }),
    cloudRunPage,
    serviceAccountsPage,
    serviceAccountKeysPage,
    workloadReviewPage({ regions: deps.workloadRegions, index: buildMethodIndex(deps.discovery), now: deps.now }),
  ] as PageSpec[];
}

const STATE_LABEL = {
  ready: 'Ready',
  'needs-consent': 'Asks for access on first use',
  'partly-granted': 'Partly granted: some access is missing',
} as const;

export interface FeatureModule {
  engine: FeatureEngine;
  router: Router;
  nav: Array<{ href: string; label: string }>;
  /** The home page's cards: one per feature page, with its state for the scopes this session holds. */
  cards(granted: readonly string[]): FeatureCard[];
  describeScope(uri: string): string | undefined;
  grantedScopes(req: Request): Promise<readonly string[]>;
}

export function featureModule(deps: FeatureModuleDeps): FeatureModule {
  const engine = new FeatureEngine(deps);
  const router = Router();
  router.use(consentRoutes({ ...deps, engine }, deps.requireUser));
  router.use(accountRoutes({ ...deps, engine }));
  for (const spec of pageSpecs(deps)) router.use(engine.mount(spec));
  // One card per page: the workload review's sections share a page and so a card (its first section's state).
  const withPage = deps.catalogue.filter(
    (f, i, all) => all.findIndex((g) => g.path === f.path) === i && f.nav !== undefined,
  );
  return {
    engine,
    router,
    nav: navEntries(deps.catalogue),
    describeScope: (uri) => scopeDescription(deps.discovery, uri),
    grantedScopes: async (req) => (req.session.user ? engine.grantedScopes(await engine.signedIn(req)) : []),
    cards: (granted) =>
      withPage.map((f) => {
        const state = featureReadiness(f, granted, deps.discovery).state;
        return { href: f.path, title: f.nav ?? f.title, summary: f.summary, state, stateLabel: STATE_LABEL[state] };
      }),
  };
}
