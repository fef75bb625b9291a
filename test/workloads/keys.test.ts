import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OLD_KEY_DAYS, reviewServiceAccountKeys, type AccountKeysInput } from '../../src/workloads/index.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
const key = (id: string, keyType: string, created: string, extra: Record<string, unknown> = {}) => ({
  name: `projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com/keys/${id}`,
  keyType,
  validAfterTime: created,
  validBeforeTime: '9999-12-31T23:59:59Z',
  ...extra,
});
const account = (keys: AccountKeysInput['keys'], disabled = false): AccountKeysInput => ({
  account: { email: 'sa@p.iam.gserviceaccount.com', disabled },
  keys,
});

describe('Service-account keys section rules', () => {
  it('Google-managed keys are fine and are not listed', () => {
    const r = reviewServiceAccountKeys([account([key('sys1', 'SYSTEM_MANAGED', daysAgo(400))])], NOW);
    assert.equal(r.rows.length, 0);
    assert.equal(r.findingCount, 0);
  });
  it('a recent user-managed key: medium, with its age; an old one (> 90 days): high', () => {
    const r = reviewServiceAccountKeys(
      [
        account([
          key('aaaaaaaaaaaa1111', 'USER_MANAGED', daysAgo(12)),
          key('bbbbbbbbbbbb2222', 'USER_MANAGED', daysAgo(OLD_KEY_DAYS + 1)),
        ]),
      ],
      NOW,
    );
    assert.deepEqual(
      r.rows.map((x) => [x.keyId, x.ageDays, x.findingCodes[0]]),
      [
        ['aaaaaaaaaaaa1111', 12, 'sa-key-user-managed'],
        ['bbbbbbbbbbbb2222', 91, 'sa-key-user-managed-old'],
      ],
    );
    assert.match(r.findings.find((f) => f.code === 'sa-key-user-managed')?.message ?? '', /12 days old/);
    assert.match(r.findings[0]?.recommendation ?? '', /attached service account or workload identity federation/);
  });
  it('a key exactly 90 days old is not yet "old"', () => {
    const r = reviewServiceAccountKeys([account([key('k', 'USER_MANAGED', daysAgo(OLD_KEY_DAYS))])], NOW);
    assert.equal(r.findings[0]?.code, 'sa-key-user-managed');
  });
  it('disabled or expired keys, or keys of a disabled account: inactive (low), still to delete', () => {
    const r = reviewServiceAccountKeys(
      [
        account([
          key('d', 'USER_MANAGED', daysAgo(200), { disabled: true }),
          key('e', 'USER_MANAGED', daysAgo(200), { validBeforeTime: daysAgo(1) }),
        ]),
        {
          account: { email: 'off@p.iam.gserviceaccount.com', disabled: true },
          keys: [key('f', 'USER_MANAGED', daysAgo(5))],
        },
      ],
      NOW,
    );
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.severity]),
      [
        ['sa-key-inactive', 'low'],
        ['sa-key-inactive', 'low'],
        ['sa-key-inactive', 'low'],
      ],
    );
    assert.deepEqual(
      r.rows.map((x) => x.active),
      [false, false, false],
    );
  });
  it('an uploaded key keeps its origin in the row; unreadable keys are a note', () => {
    const r = reviewServiceAccountKeys(
      [
        account([key('u', 'USER_MANAGED', daysAgo(3), { keyOrigin: 'USER_PROVIDED' })]),
        { account: { email: 'x@p.iam.gserviceaccount.com' }, keysProblem: 'permission denied' },
      ],
      NOW,
    );
    assert.equal(r.rows[0]?.keyOrigin, 'USER_PROVIDED');
    assert.deepEqual(
      r.notes.map((n) => n.code),
      ['sa-keys-unreadable'],
    );
  });
});
