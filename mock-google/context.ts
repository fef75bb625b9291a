// What every part of the mock is handed: state, keys, the Discovery catalogue and the issuer.
import type { Catalog } from './methods.js';
import type { KeyStore } from './keys.js';
import type { Store } from './state.js';

export interface MockContext {
  store: Store;
  keys: KeyStore;
  catalog: Catalog;
  /** `http://127.0.0.1:<port>`, known once the server listens. */
  issuer(): string;
}
