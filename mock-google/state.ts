// In-memory state of the mock: pending authorizations, codes, grants, tokens, settings, test knobs, fixtures.
import { randomId } from './crypto.js';
import type { HostileMode } from './hostile.js';
import { createCloudData, type CloudData } from './cloud/fixtures.js';
import { INSTANT, type OperationTiming } from './cloud/operations.js';

export interface Client {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Shown on the consent screen. */
  name: string;
}

export interface PendingAuth {
  id: string;
  /** Per-page nonce that the mock's own forms must echo back. */
  csrf: string;
  createdAt: number;
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  nonce: string | undefined;
  /** Canonical scope URIs, in request order. */
  scopes: string[];
  /** Same scopes as the client spelled them (`email`, `profile`…), for display. */
  scopesAsGiven: Map<string, string>;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain' | undefined;
  offline: boolean;
  includeGrantedScopes: boolean;
  prompt: Set<string>;
  loginHint: string | undefined;
  hd: string | undefined;
  userSub: string | undefined;
  /** Scopes listed on the consent screen when it was shown. */
  shown: string[] | undefined;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userSub: string;
  /** Scopes the tokens from this code carry. */
  scopes: string[];
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain' | undefined;
  issueRefresh: boolean;
  includeGrantedScopes: boolean;
  expiresAt: number;
  used: boolean;
}

export interface Grant {
  userSub: string;
  clientId: string;
  scopes: Set<string>;
  revoked: boolean;
  /** True once a refresh token has been issued for this grant (reset by revocation). */
  refreshIssued: boolean;
  /** Time-based access: when the grant ends (mock clock, ms). Absent: until the user removes it. */
  expiresAt?: number;
}

export interface AccessTokenRecord {
  token: string;
  clientId: string;
  userSub: string;
  scopes: string[];
  expiresAt: number;
  fromCode: string | undefined;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  clientId: string;
  userSub: string;
  scopes: string[];
  /** Issued from an include_granted_scopes flow: it covers whatever the grant holds when used. */
  tracksGrant: boolean;
  fromCode: string | undefined;
  revoked: boolean;
  /** Set for a client in "Testing" publishing status: Google expires its refresh tokens after 7 days. */
  expiresAt: number | undefined;
}

export const ENDPOINTS = ['discovery', 'jwks', 'authorize', 'token', 'userinfo', 'revoke', 'tokeninfo', 'api'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface Injection {
  /** An endpoint name, or `api:<methods.json key>` for one Cloud API method. */
  endpoint: string;
  status: number | undefined;
  delayMs: number | undefined;
  body: unknown;
  times: number;
}

export const PROMPT_NONE_ERRORS = [
  'interaction_required',
  'consent_required',
  'login_required',
  'account_selection_required',
] as const;
export type PromptNoneError = (typeof PROMPT_NONE_ERRORS)[number];

export interface Settings {
  accessTokenTtlSeconds: number;
  autoApprove: { email: string } | null;
  /** Live refresh tokens per (account, client); issuing one more silently invalidates the oldest. Google: 100. */
  refreshTokenCap: number;
  /** `testing`: refresh tokens expire after 7 days, as Google does for apps in Testing publishing status. */
  publishingStatus: 'production' | 'testing';
  /** When set, every `prompt=none` request ends with this error (Google's four prompt=none errors). */
  promptNoneError: PromptNoneError | null;
  /** Time-based access: new consents grant access for this long (preselected on the consent screen). */
  grantLifetimeSeconds: number | null;
}

export const DEFAULT_REFRESH_TOKEN_CAP = 100;
export const TESTING_REFRESH_TOKEN_TTL_MS = 7 * 24 * 3600_000;

function defaultSettings(): Settings {
  return {
    accessTokenTtlSeconds: DEFAULT_ACCESS_TOKEN_TTL,
    autoApprove: null,
    refreshTokenCap: DEFAULT_REFRESH_TOKEN_CAP,
    publishingStatus: 'production',
    promptNoneError: null,
    grantLifetimeSeconds: null,
  };
}

export const CODE_TTL_MS = 60_000;
export const PENDING_TTL_MS = 10 * 60_000;
export const DEFAULT_ACCESS_TOKEN_TTL = 3600;

export class Store {
  readonly clients: Map<string, Client>;
  pending = new Map<string, PendingAuth>();
  codes = new Map<string, AuthCode>();
  grants = new Map<string, Grant>();
  accessTokens = new Map<string, AccessTokenRecord>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  settings: Settings = defaultSettings();
  /** Added to the real clock for token and code expiry (`POST /__control/clock`). */
  clockOffsetMs = 0;
  counts: Record<string, number> = {};
  injections: Injection[] = [];
  hostile: HostileMode | null = null;
  /** Changes on reset so the browser cookie that remembers an account stops counting. */
  epoch = randomId(6);
  cloud: CloudData = createCloudData();
  /** How long zone operations take after a reset (the start-up setting; the control changes it until then). */
  readonly operationTiming: OperationTiming;

  constructor(clients: Client[], operationTiming: OperationTiming = INSTANT) {
    this.clients = new Map(clients.map((c) => [c.clientId, c]));
    this.operationTiming = operationTiming;
    this.cloud.operationTiming = operationTiming;
    this.resetCounts();
  }

  reset(): void {
    this.pending.clear();
    this.codes.clear();
    this.grants.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.settings = defaultSettings();
    this.clockOffsetMs = 0;
    this.injections = [];
    this.hostile = null;
    this.epoch = randomId(6);
    this.cloud = createCloudData();
    this.cloud.operationTiming = this.operationTiming;
    this.resetCounts();
  }

  /** The mock's clock: real time plus the offset the clock control added. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private resetCounts(): void {
    this.counts = Object.fromEntries([...ENDPOINTS, 'refresh'].map((e) => [e, 0]));
  }

  count(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }

  /** Takes the next injection aimed at one of the given endpoint names, if any. */
  takeInjection(...endpoints: string[]): Injection | undefined {
    const idx = this.injections.findIndex((i) => endpoints.includes(i.endpoint) && i.times > 0);
    if (idx < 0) return undefined;
    const inj = this.injections[idx];
    if (!inj) return undefined;
    inj.times -= 1;
    if (inj.times <= 0) this.injections.splice(idx, 1);
    return inj;
  }

  grant(userSub: string, clientId: string): Grant {
    const key = `${userSub}|${clientId}`;
    let g = this.grants.get(key);
    if (!g) {
      g = { userSub, clientId, scopes: new Set(), revoked: false, refreshIssued: false };
      this.grants.set(key, g);
    }
    return g;
  }

  findGrant(userSub: string, clientId: string): Grant | undefined {
    return this.grants.get(`${userSub}|${clientId}`);
  }

  /** Revokes the whole grant: every access and refresh token, and the granted scopes. */
  revokeGrant(userSub: string, clientId: string): void {
    const g = this.grants.get(`${userSub}|${clientId}`);
    if (g) {
      g.scopes.clear();
      g.revoked = true;
      g.refreshIssued = false;
    }
    for (const t of this.accessTokens.values()) if (t.userSub === userSub && t.clientId === clientId) t.revoked = true;
    for (const t of this.refreshTokens.values()) if (t.userSub === userSub && t.clientId === clientId) t.revoked = true;
  }

  /** Google revokes what a code produced when the code is replayed. */
  revokeTokensFromCode(code: string): void {
    for (const t of this.accessTokens.values()) if (t.fromCode === code) t.revoked = true;
    for (const t of this.refreshTokens.values()) if (t.fromCode === code) t.revoked = true;
  }

  issueAccessToken(clientId: string, userSub: string, scopes: string[], fromCode?: string): AccessTokenRecord {
    const rec: AccessTokenRecord = {
      token: `ya29.mock.${randomId(36)}`,
      clientId,
      userSub,
      scopes,
      // An access token never outlives a time-limited grant.
      expiresAt: Math.min(
        this.now() + this.settings.accessTokenTtlSeconds * 1000,
        this.findGrant(userSub, clientId)?.expiresAt ?? Number.POSITIVE_INFINITY,
      ),
      fromCode,
      revoked: false,
    };
    this.accessTokens.set(rec.token, rec);
    return rec;
  }

  issueRefreshToken(
    clientId: string,
    userSub: string,
    scopes: string[],
    tracksGrant: boolean,
    fromCode?: string,
  ): RefreshTokenRecord {
    const expiresAt =
      this.settings.publishingStatus === 'testing' ? this.now() + TESTING_REFRESH_TOKEN_TTL_MS : undefined;
    const rec: RefreshTokenRecord = {
      token: `1//mock.${randomId(48)}`,
      clientId,
      userSub,
      scopes,
      tracksGrant,
      fromCode,
      revoked: false,
      expiresAt,
    };
    this.refreshTokens.set(rec.token, rec);
    // Google's cap: past N live refresh tokens for one account and client, the oldest stops working, silently.
    const live = [...this.refreshTokens.values()].filter(
      (t) => t.userSub === userSub && t.clientId === clientId && !t.revoked,
    );
    for (const old of live.slice(0, Math.max(0, live.length - this.settings.refreshTokenCap))) old.revoked = true;
    return rec;
  }

  /** A usable access token, or undefined when unknown, expired or revoked. */
  validAccessToken(token: string | undefined): AccessTokenRecord | undefined {
    if (!token) return undefined;
    const rec = this.accessTokens.get(token);
    if (!rec || rec.revoked || rec.expiresAt <= this.now()) return undefined;
    return rec;
  }

  /** Drops expired codes, pending authorizations and long-expired access tokens. */
  sweep(now = this.now()): void {
    for (const [k, c] of this.codes) if (c.expiresAt + CODE_TTL_MS < now) this.codes.delete(k);
    for (const [k, p] of this.pending) if (p.createdAt + PENDING_TTL_MS < now) this.pending.delete(k);
    for (const [k, t] of this.accessTokens) if (t.expiresAt + 3600_000 < now) this.accessTokens.delete(k);
  }
}
