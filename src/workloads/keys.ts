/**
 * Service-account keys: user-managed keys with their age (pure; input is IAM `serviceAccounts.list` and each
 * account's `keys.list`). Google-managed (SYSTEM_MANAGED) keys never leave Google and are fine.
 */
import type { ServiceAccount, ServiceAccountKey } from '../google/iam.js';
import { finding, note, type FindingCode, type WorkloadFinding, type WorkloadNote } from './findings.js';
import { ageInDays } from './identity.js';
import { sectionReport, type SectionReport } from './outcome.js';

/**
 * Older than this, a user-managed key is reported as high. 90 days is the age after which Security Command
 * Center reports a user-managed key as not rotated.
 */
export const OLD_KEY_DAYS = 90;

export interface AccountKeysInput {
  readonly account: Pick<ServiceAccount, 'email' | 'disabled'>;
  /** Undefined when the keys could not be read (`keysProblem` says why). */
  readonly keys?:
    | readonly Pick<
        ServiceAccountKey,
        'name' | 'keyType' | 'keyOrigin' | 'validAfterTime' | 'validBeforeTime' | 'disabled'
      >[]
    | undefined;
  readonly keysProblem?: string | undefined;
}

export interface KeyRow {
  readonly account: string;
  readonly keyId: string;
  /** USER_MANAGED or SYSTEM_MANAGED (as Google says it). */
  readonly keyType: string;
  /** GOOGLE_PROVIDED (created by Google and downloaded) or USER_PROVIDED (uploaded). */
  readonly keyOrigin: string | undefined;
  readonly createdAt: string | undefined;
  readonly ageDays: number | undefined;
  readonly active: boolean;
  readonly findingCodes: readonly FindingCode[];
}

export function keyIdOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash >= 0 ? name.slice(slash + 1) : name;
}

/** `now` is explicit so the review is pure and testable. Only user-managed keys become rows. */
export function reviewServiceAccountKeys(accounts: readonly AccountKeysInput[], now: Date): SectionReport<KeyRow> {
  const rows: KeyRow[] = [];
  const findings: WorkloadFinding[] = [];
  const notes: WorkloadNote[] = [];
  for (const { account, keys, keysProblem } of accounts) {
    if (keys === undefined) {
      notes.push(
        note(
          'sa-keys-unreadable',
          account.email,
          `The keys of ${account.email} could not be read${keysProblem ? ` (${keysProblem})` : ''}.`,
        ),
      );
      continue;
    }
    for (const key of keys) {
      if (key.keyType !== 'USER_MANAGED') continue;
      const keyId = keyIdOf(key.name);
      const subject = `${account.email} key ${keyId.slice(0, 8)}`;
      const age = ageInDays(key.validAfterTime, now);
      const expiry = key.validBeforeTime !== undefined ? Date.parse(key.validBeforeTime) : Number.NaN;
      const expired = !Number.isNaN(expiry) && expiry <= now.getTime();
      const active = key.disabled !== true && !expired && account.disabled !== true;
      const ageText = age === undefined ? 'of unknown age' : `${age} day${age === 1 ? '' : 's'} old`;
      let f: WorkloadFinding;
      if (!active) {
        const why = key.disabled === true ? 'disabled' : expired ? 'expired' : 'on a disabled account';
        f = finding(
          'sa-key-inactive',
          subject,
          `User-managed key ${keyId.slice(0, 8)} of ${account.email} is ${why} but still exists (${ageText}).`,
        );
      } else if (age !== undefined && age > OLD_KEY_DAYS) {
        f = finding(
          'sa-key-user-managed-old',
          subject,
          `${account.email} has a user-managed key ${ageText} (${keyId.slice(0, 8)}).`,
        );
      } else {
        f = finding(
          'sa-key-user-managed',
          subject,
          `${account.email} has a user-managed key ${ageText} (${keyId.slice(0, 8)}).`,
        );
      }
      findings.push(f);
      rows.push({
        account: account.email,
        keyId,
        keyType: key.keyType,
        keyOrigin: key.keyOrigin,
        createdAt: key.validAfterTime,
        ageDays: age,
        active,
        findingCodes: [f.code],
      });
    }
  }
  return sectionReport('service-account-keys', rows, findings, notes);
}
