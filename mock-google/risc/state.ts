// The mock's Cross-Account Protection (RISC) side: its own signing key (not the OIDC one), the stream a
// project registered through the RISC API, the service accounts allowed to call that API, and what was
// delivered. Reset with the rest of the mock.
import { KeyStore } from '../keys.js';
import type { KeyObject } from 'node:crypto';

// Google's event type URIs, spelled here on purpose apart from the app's (src/events/types.ts): the mock is the
// transmitter's side, so a wrong URI on either side fails the tests instead of agreeing with itself.
export const RISC_EVENT_TYPES = {
  'sessions-revoked': 'https://schemas.openid.net/secevent/risc/event-type/sessions-revoked',
  'tokens-revoked': 'https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked',
  'token-revoked': 'https://schemas.openid.net/secevent/oauth/event-type/token-revoked',
  'account-disabled': 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  'account-enabled': 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  'account-credential-change-required':
    'https://schemas.openid.net/secevent/risc/event-type/account-credential-change-required',
  verification: 'https://schemas.openid.net/secevent/risc/event-type/verification',
} as const;

export type RiscEventType = keyof typeof RISC_EVENT_TYPES;

export const PUSH_DELIVERY = 'https://schemas.openid.net/secevent/risc/delivery-method/push';

/** The audience of the self-signed JWT Google's page tells service accounts to make for the RISC API. */
export const RISC_API_AUDIENCE = 'https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService';

export const RISC_ADMIN_ROLE = 'roles/riscconfigs.admin';

export interface Stream {
  delivery: { delivery_method: string; url: string };
  events_requested: string[];
  events_delivered: string[];
  status: 'enabled' | 'disabled';
}

export interface ServiceAccount {
  email: string;
  projectId: string;
  keyId: string;
  publicKey: KeyObject;
  roles: Set<string>;
}

export interface Delivery {
  at: number;
  jti: string | undefined;
  type: string;
  bad: string | null;
  url: string;
  status: number | null;
  error?: string;
}

export class RiscState {
  /** By project id (the RISC API derives the project from the calling service account). */
  streams = new Map<string, Stream>();
  serviceAccounts = new Map<string, ServiceAccount>();
  deliveries: Delivery[] = [];
  /** The last token delivered (for `bad: replayed-jti`). */
  lastSet: { token: string; url: string; jti: string } | undefined;

  private constructor(readonly keys: KeyStore) {}

  static async create(): Promise<RiscState> {
    return new RiscState(await KeyStore.create());
  }

  reset(): void {
    this.streams.clear();
    this.serviceAccounts.clear();
    this.deliveries = [];
    this.lastSet = undefined;
    this.keys.reset();
  }

  /** The only stream the controls send through: the mock models one project at a time. */
  currentStream(): { projectId: string; stream: Stream } | undefined {
    const [first] = this.streams.entries();
    return first ? { projectId: first[0], stream: first[1] } : undefined;
  }
}
