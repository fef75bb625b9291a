// The audit webhook's ID token is made for the service it is sent to: its audience must be the webhook URL's
// origin or a path prefix of that URL, unless the operator says explicitly that the receiving service accepts a
// custom audience. A token valid for another service is never sent to the webhook's host. The pairing is logged
// at start-up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditExportConfig, webhookAudienceRelation } from '../../src/audit/config.js';
import { createAuditExport } from '../../src/audit/export.js';
import { captureLogger } from './helpers.js';

const URL_ = 'https://audit-receiver-abc-ew.a.run.app/events/scopewise';
const parse = (env: Record<string, string>) => parseAuditExportConfig({ AUDIT_WEBHOOK_URL: URL_, ...env });

describe('audit webhook audience', () => {
  it('the URL’s origin (the default) or a path prefix of the URL is accepted', () => {
    for (const audience of [
      undefined,
      'https://audit-receiver-abc-ew.a.run.app',
      'https://audit-receiver-abc-ew.a.run.app/',
      'https://audit-receiver-abc-ew.a.run.app/events',
      'https://audit-receiver-abc-ew.a.run.app/events/',
      URL_,
    ]) {
      const parsed = parse(audience ? { AUDIT_WEBHOOK_AUDIENCE: audience } : {});
      assert.deepEqual(parsed.problems, [], String(audience));
    }
  });

  it('a token for another service is refused, saying what to set', () => {
    for (const audience of [
      'https://another-service-xyz-uc.a.run.app',
      'https://audit-receiver-abc-ew.a.run.app.evil.example',
      'http://audit-receiver-abc-ew.a.run.app',
      'https://audit-receiver-abc-ew.a.run.app:8443',
      'https://audit-receiver-abc-ew.a.run.app/ev', // not a whole path segment
      'https://audit-receiver-abc-ew.a.run.app/events/scopewise/more',
      'https://audit-receiver-abc-ew.a.run.app/events?x=1',
      'audit-receiver',
    ]) {
      const { problems } = parse({ AUDIT_WEBHOOK_AUDIENCE: audience });
      assert.equal(problems.length, 1, audience);
      assert.match(problems[0]!, /AUDIT_WEBHOOK_AUDIENCE .* is not the origin of AUDIT_WEBHOOK_URL nor a prefix of it/);
      assert.match(problems[0]!, /AUDIT_WEBHOOK_CUSTOM_AUDIENCE=true/);
    }
  });

  it('an explicit opt-in accepts a custom audience the receiving service lists', () => {
    const parsed = parse({
      AUDIT_WEBHOOK_AUDIENCE: 'https://audit.example.com',
      AUDIT_WEBHOOK_CUSTOM_AUDIENCE: 'true',
    });
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.value.webhook?.audience, 'https://audit.example.com');
    assert.match(parse({ AUDIT_WEBHOOK_CUSTOM_AUDIENCE: 'yes' }).problems[0] ?? '', /expected true or false/);
    assert.match(
      parse({ AUDIT_WEBHOOK_CUSTOM_AUDIENCE: 'true' }).problems[0] ?? '',
      /AUDIT_WEBHOOK_CUSTOM_AUDIENCE=true needs AUDIT_WEBHOOK_AUDIENCE/,
    );
  });

  it('the relation is named: origin, prefix or custom', () => {
    assert.equal(webhookAudienceRelation(URL_, 'https://audit-receiver-abc-ew.a.run.app'), 'origin');
    assert.equal(webhookAudienceRelation(URL_, 'https://audit-receiver-abc-ew.a.run.app/events'), 'prefix');
    assert.equal(webhookAudienceRelation(URL_, 'https://audit.example.com'), 'custom');
  });

  it('the pairing is logged at start-up (the URL without its query string)', async () => {
    const log = captureLogger();
    const parsed = parseAuditExportConfig({
      AUDIT_WEBHOOK_URL: `${URL_}?key=secret-value`,
      AUDIT_WEBHOOK_AUDIENCE: 'https://audit.example.com',
      AUDIT_WEBHOOK_CUSTOM_AUDIENCE: 'true',
    });
    assert.deepEqual(parsed.problems, []);
    const exp = createAuditExport(parsed.value, { logger: log.logger, sinks: [] });
    const line = log.find(/audit webhook: ID tokens/)[0];
    assert.ok(line, 'logged');
    assert.equal(line['audience'], 'https://audit.example.com');
    assert.equal(line['url'], URL_);
    assert.equal(line['audienceIs'], 'custom');
    assert.ok(!JSON.stringify(log.lines).includes('secret-value'));
    await exp.drain(10);
  });
});
