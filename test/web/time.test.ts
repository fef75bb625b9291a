// Times for people: the reader's zone, relative times, and wall-clock arithmetic across zones and DST.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDateTime,
  formatRelative,
  parseWallClock,
  toWallClock,
  validTimeZone,
  zoneOffsetMs,
} from '../../src/web/time.js';

const t0 = Date.UTC(2026, 11, 2, 13, 5, 7);

describe('time zones', () => {
  it('accepts the zones Intl knows and nothing else', () => {
    assert.equal(validTimeZone('Europe/Paris'), 'Europe/Paris');
    assert.equal(validTimeZone('UTC'), 'UTC');
    for (const bad of [undefined, '', 'Mars/Olympus', '../../etc', '<x>', 'a'.repeat(80)])
      assert.equal(validTimeZone(bad), undefined, String(bad));
  });

  it('offsets: Paris +1 h in winter, +2 h in summer; Kolkata +5:30', () => {
    assert.equal(zoneOffsetMs(t0, 'Europe/Paris'), 3_600_000);
    assert.equal(zoneOffsetMs(Date.UTC(2026, 6, 1), 'Europe/Paris'), 7_200_000);
    assert.equal(zoneOffsetMs(t0, 'Asia/Kolkata'), 19_800_000);
    assert.equal(zoneOffsetMs(t0 + 999, 'UTC'), 0);
  });
});

describe('formatting', () => {
  it("an absolute time in the reader's zone names the zone", () => {
    assert.equal(formatDateTime(t0, { locale: 'en', timeZone: 'UTC' }), 'Dec 2, 2026, 13:05:07 UTC');
    assert.equal(formatDateTime(t0, { locale: 'en', timeZone: 'Europe/Paris' }), 'Dec 2, 2026, 14:05:07 GMT+1');
    assert.match(formatDateTime(t0, { locale: 'ja', timeZone: 'Asia/Tokyo' }), /2026年12月2日.*22:05:07/);
  });

  it('relative: the largest unit that fits, past and future, "now"', () => {
    assert.equal(formatRelative(t0 - 3 * 60_000, t0, 'en'), '3 minutes ago');
    assert.equal(formatRelative(t0 + 58 * 60_000 + 40_000, t0, 'en'), 'in 59 minutes');
    assert.equal(formatRelative(t0 - 2 * 86_400_000, t0, 'en'), '2 days ago');
    assert.equal(formatRelative(t0 - 3 * 365 * 86_400_000, t0, 'en'), '3 years ago');
    assert.equal(formatRelative(t0, t0, 'en'), 'now');
  });
});

describe('wall clock', () => {
  it('round-trips a datetime-local value in a zone', () => {
    assert.equal(parseWallClock('2026-12-02T14:05', 'Europe/Paris'), Date.UTC(2026, 11, 2, 13, 5));
    assert.equal(toWallClock(Date.UTC(2026, 11, 2, 13, 5), 'Europe/Paris'), '2026-12-02T14:05');
    assert.equal(parseWallClock('2026-07-01T00:00', 'Europe/Paris'), Date.UTC(2026, 5, 30, 22));
  });

  it('refuses what is not a time', () => {
    for (const bad of ['', 'yesterday', '2026-02-31T10:00', '2026-13-01T10:00', '2026-12-02 14:05', '2026-12-02T24:00'])
      assert.equal(parseWallClock(bad, 'UTC'), undefined, bad);
  });
});
