// Feature wiring: the scope catalogue's features mounted on the app.
import type { Config } from '../config/env.js';
import type { StartOptions } from '../server.js';

export function withFeatures(_config: Config): NonNullable<StartOptions['extend']> {
  return () => ({});
}
