// What every feature route is built from: the catalogue and Discovery data (pure), the token vault,
// the web kit (render, CSRF), and the Google API base URL.
import type { Logger } from '../log/logger.js';
import type { Discovery, Feature } from '../scopes/index.js';
import type { TokenVault } from '../tokens/vault.js';
import type { OidcProvider } from '../auth/oidc.js';
import type { WebKit } from '../web/app.js';

export interface FeatureRuntime extends WebKit {
  discovery: Discovery;
  catalogue: readonly Feature[];
  vault: TokenVault;
  oidc: OidcProvider;
  logger: Logger;
  apiBaseOverride: string | undefined;
  defaultProject: string | undefined;
  /** Timeout for each Google API call (ms). */
  googleTimeoutMs: number;
}

/** The feature, which must exist in the catalogue (ids are fixed in code). */
export function featureById(rt: FeatureRuntime, id: string): Feature {
  const f = rt.catalogue.find((x) => x.id === id);
  if (!f) throw new Error(`feature ${id} is not in the catalogue`);
  return f;
}
