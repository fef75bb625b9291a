// The Logs viewer's pure parts: the time range and its filter, one-line summaries of payloads, and Scopewise's
// own audit entries (made by the real exporter) read as a timeline.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { combinedFilter, resolveRange } from '../../src/features/logs/range.js';
import { summarizeEntry, SUMMARY_MAX } from '../../src/features/logs/entry.js';
import { auditItem, isScopewiseAudit, knownEmails } from '../../src/features/logs/audit.js';
import { createAuditRecord } from '../../src/audit/record.js';
import { toLogEntry } from '../../src/audit/sinks/cloud-logging.js';
import { AUTH } from '../support/auth-scope.js';

const now = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('time range', () => {
  it('relative ranges end now, or at the instant a next-page link pinned', () => {
    assert.deepEqual(resolveRange({}, now, 'UTC'), {
      ok: true,
      key: '1h',
      from: now - 3_600_000,
      to: now,
      pinnedAt: now,
    });
    const pinned = resolveRange({ range: '7d', at: String(now - 60_000) }, now, 'UTC');
    assert.equal(pinned.ok && pinned.to, now - 60_000);
    // A pinned instant from the future or beyond retention is not believed.
    for (const at of [String(now + 3_600_000), '1', 'x', '1e9']) {
      const r = resolveRange({ range: '24h', at }, now, 'UTC');
      assert.equal(r.ok ? r.to : undefined, now, at);
    }
  });
  it("a custom range is read in the reader's zone and checked", () => {
    const r = resolveRange({ range: 'custom', from: '2026-12-02T09:00', to: '2026-12-02T10:00' }, now, 'Europe/Paris');
    assert.deepEqual(r, {
      ok: true,
      key: 'custom',
      from: Date.UTC(2026, 11, 2, 8),
      to: Date.UTC(2026, 11, 2, 9),
      pinnedAt: now,
    });
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ range: 'custom', to: '2026-12-02T10:00' }, 'from', 'Give the start'],
      [{ range: 'custom', from: '2026-12-02T10:00' }, 'to', 'Give the end'],
      [{ range: 'custom', from: '2026-12-02T10:00', to: '2026-12-02T10:00' }, 'to', 'after the start'],
      [{ range: 'custom', from: '2026-10-01T10:00', to: '2026-12-02T10:00' }, 'from', 'at most 31 days'],
      [{ range: 'custom', from: '2026-12-03T10:00', to: '2026-12-04T10:00' }, 'from', 'in the future'],
      [{ range: 'forever' }, 'range', 'Choose the last hour'],
    ];
    for (const [req, field, message] of cases) {
      const out = resolveRange(req, now, 'UTC');
      assert.equal(out.ok, false, JSON.stringify(req));
      if (!out.ok) {
        assert.equal(out.field, field);
        assert.match(out.message, new RegExp(message));
      }
    }
  });
  it("the filter: the range, then the user's filter in parentheses on lines of its own", () => {
    assert.equal(
      combinedFilter(undefined, now - 1000, now),
      'timestamp>="2026-12-02T11:59:59.000Z" AND timestamp<"2026-12-02T12:00:00.000Z"',
    );
    assert.equal(
      combinedFilter('severity>=ERROR -- only errors', now - 1000, now),
      'timestamp>="2026-12-02T11:59:59.000Z" AND timestamp<"2026-12-02T12:00:00.000Z"\nAND (\nseverity>=ERROR -- only errors\n)',
    );
    assert.equal(
      combinedFilter('   ', 0, 1),
      'timestamp>="1970-01-01T00:00:00.000Z" AND timestamp<"1970-01-01T00:00:00.001Z"',
    );
  });
});

describe('one-line summaries', () => {
  it('a message, then the other plain fields; the JSON kept for opening', () => {
    const s = summarizeEntry({
      logName: 'projects/p/logs/run.googleapis.com%2Frequests',
      resource: { type: 'cloud_run_revision', labels: { service_name: 'api' } },
      jsonPayload: { message: 'Cache miss', latencyMs: 12, nested: { a: 1 } },
    });
    assert.equal(s.log, 'run.googleapis.com/requests');
    assert.equal(s.resource, 'cloud_run_revision api');
    assert.equal(s.summary, 'Cache miss · latencyMs=12');
    assert.match(s.details!, /"nested": \{\n\s+"a": 1/);
  });
  it('an audit log: method, principal and resource', () => {
    const s = summarizeEntry({
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        methodName: 'v1.compute.instances.stop',
        authenticationInfo: { principalEmail: 'alice@example.com' },
        resourceName: 'projects/p/zones/z/instances/web-1',
      },
    });
    assert.equal(s.summary, 'v1.compute.instances.stop by alice@example.com on projects/p/zones/z/instances/web-1');
  });
  it('long and multi-line text folds to one line; nothing at all says so', () => {
    const long = summarizeEntry({ textPayload: `first line\n${'x'.repeat(500)}` });
    assert.equal(long.summary.length, SUMMARY_MAX);
    assert.ok(long.summary.startsWith('first line x'));
    assert.ok(long.details);
    assert.equal(summarizeEntry({ textPayload: 'short' }).details, undefined);
    assert.equal(summarizeEntry({}).summary, '(no payload)');
    assert.equal(
      summarizeEntry({ httpRequest: { requestMethod: 'GET', status: 200, requestUrl: '/x' } }).summary,
      'GET 200 /x',
    );
  });
});

describe("Scopewise's audit entries as a timeline", () => {
  const target = { projectId: 'acme-prod', logId: 'scopewise-audit' };
  const entry = (event: Parameters<typeof createAuditRecord>[0], fields: Record<string, unknown>) =>
    toLogEntry(createAuditRecord(event, fields, now), target);
  const titles = (id: string) => ({ logs: 'Logs', 'vm-power': 'Start and stop VMs' })[id];

  it("recognises the exporter's entries (and nothing else)", () => {
    assert.equal(isScopewiseAudit(entry('sign-in', { sub: '1', email: 'a@example.com' })), true);
    assert.equal(isScopewiseAudit({ jsonPayload: { event: 'sign-in' } }), false);
  });

  it('who (an e-mail learnt from another entry of the same account), what, which scopes', () => {
    const signIn = entry('sign-in', { sub: '1001', email: 'alice@example.com', hd: 'example.com' });
    const granted = entry('consent-granted', {
      sub: '1001',
      feature: 'logs',
      requested: [`${AUTH}logging.read`, `${AUTH}compute`],
      granted: [`${AUTH}logging.read`],
      declined: [`${AUTH}compute`],
    });
    const emails = knownEmails([signIn, granted]);
    const item = auditItem(granted, emails, titles);
    assert.deepEqual(
      { who: item.who, what: item.what, scopes: item.scopes, declined: item.declined, tone: item.tone },
      {
        who: 'alice@example.com',
        what: 'granted access for Logs',
        scopes: ['logging.read', 'compute'],
        declined: ['compute'],
        tone: 'warn',
      },
    );
    assert.equal(item.at, now);
    const stranger = auditItem(entry('sign-out', { sub: '999' }), emails, titles);
    assert.equal(`${stranger.who} ${stranger.what}`, 'account 999 signed out');
  });

  it('a VM action says what Google answered; a failure is red', () => {
    const ok = auditItem(
      entry('feature-action', {
        sub: '1',
        feature: 'vm-power',
        action: 'stop',
        project: 'acme-prod',
        instance: 'web-1',
        result: 'DONE',
      }),
      new Map(),
      titles,
    );
    assert.equal(ok.what, 'Start and stop VMs: stop web-1 in acme-prod (Google: DONE)');
    const failed = auditItem(
      entry('feature-action', { sub: '1', feature: 'vm-power', action: 'stop', instance: 'web-1', result: 'failed' }),
      new Map(),
      titles,
    );
    assert.equal(failed.tone, 'danger');
    assert.match(failed.what, /\(failed\)$/);
  });

  it('an unknown event is shown by its name, never dropped', () => {
    const item = auditItem(entry('risc-sessions-ended' as never, { sub: '1' }), new Map(), titles);
    assert.equal(item.what, 'Google account event: sessions ended');
  });
});
