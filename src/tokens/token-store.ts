// Where sealed token sets live: beside the session, not inside it. Every write is a compare-and-set on a
// version number, so a late writer (a refresh that lost a race, a second instance whose lock lapsed)
// cannot overwrite a newer token: the version is the fencing token.
// The implementations, one per storage backend, live in src/storage/.

export interface TokenRecord {
  /** Increments on every write; a record that does not exist has version 0. */
  version: number;
  /** The user the tokens belong to (also bound into the ciphertext). */
  sub: string;
  /** Scopes granted, as the token endpoint reported them (normalised URIs). Not secret. */
  scopes: string[];
  /** The sealed TokenSet; absent once the grant was lost or revoked. */
  sealed?: string;
  /** Why the tokens were dropped (refresh answered invalid_grant, a tampered ciphertext, …). */
  lost?: { at: number; reason: string };
  /** Time-based access: when the grant ends (ms since epoch); absent when it lasts until removed. Not secret. */
  grantEndsAt?: number;
  /** When Google last confirmed the grant works (a consent or a refresh that succeeded; ms since epoch). */
  confirmedAt?: number;
}

export type TokenRecordInput = Omit<TokenRecord, 'version'>;

export interface TokenStore {
  get(ref: string): Promise<TokenRecord | null>;
  /**
   * Writes `next` as version `expectedVersion + 1` if the stored version is still `expectedVersion`
   * (0 = must not exist). Returns the written record, or null when another writer got there first.
   */
  compareAndSet(
    ref: string,
    expectedVersion: number,
    next: TokenRecordInput,
    ttlMs: number,
  ): Promise<TokenRecord | null>;
  delete(ref: string): Promise<void>;
  /** Every stored ref (maintenance: re-encryption under a new key). */
  refs(): AsyncIterable<string>;
}
