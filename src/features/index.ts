// Feature wiring: the scope catalogue (checked at start-up: a broken catalogue refuses to start, naming
// the feature and method) and the routes built on it.
import type { Config } from '../config/env.js';
import type { StartOptions } from '../server.js';
import { assertCatalogue, CATALOGUE, featureReadiness, loadDiscovery, scopeDescription, type Discovery, type Feature } from '../scopes/index.js';
import type { FeatureCard } from '../web/core-routes.js';
import { featurePath } from './access.js';
import { accountRoutes } from './account.js';
import { consentRoutes } from './consent.js';
import { featurePages } from './pages.js';
import type { FeatureRuntime } from './runtime.js';

const STATE_LABEL = { ready: 'Ready', 'needs-consent': 'Asks for access on first use', 'partly-granted': 'Partly granted: some access is missing' } as const;

export function withFeatures(config: Config, opts: { discovery?: Discovery; catalogue?: readonly Feature[] } = {}): NonNullable<StartOptions['extend']> {
  const discovery = opts.discovery ?? loadDiscovery();
  const catalogue = opts.catalogue ?? CATALOGUE;
  assertCatalogue(catalogue, discovery);
  return (base) => ({
    describeScope: (uri) => scopeDescription(discovery, uri),
    nav: catalogue.filter((f) => f.id !== 'vm-power').map((f) => ({ href: featurePath(f), label: f.title })),
    featureCards: (_req, granted): FeatureCard[] =>
      catalogue.map((f) => {
        const state = featureReadiness(f, granted, discovery).state;
        return { href: featurePath(f), title: f.title, summary: f.summary, state, stateLabel: STATE_LABEL[state] };
      }),
    extraRoutes: (kit) => {
      const rt: FeatureRuntime = {
        ...kit,
        discovery,
        catalogue,
        vault: base.vault,
        oidc: base.oidc,
        logger: base.logger,
        apiBaseOverride: config.googleApiBaseUrl,
        defaultProject: config.defaultProject,
        googleTimeoutMs: 10_000,
      };
      return [consentRoutes(rt), accountRoutes(rt), featurePages(rt)];
    },
  });
}
