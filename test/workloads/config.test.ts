import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_WORKLOAD_REGIONS, parseReviewRegions } from '../../src/workloads/index.js';

describe('parseReviewRegions (WORKLOAD_REGIONS)', () => {
  it('unset or empty: the default regions', () => {
    assert.deepEqual(parseReviewRegions({}), { value: { regions: DEFAULT_WORKLOAD_REGIONS }, problems: [] });
    assert.deepEqual(parseReviewRegions({ WORKLOAD_REGIONS: ' ' }).value.regions, DEFAULT_WORKLOAD_REGIONS);
  });
  it('a comma-separated list, trimmed and deduplicated', () => {
    assert.deepEqual(parseReviewRegions({ WORKLOAD_REGIONS: 'us-central1, europe-west1,us-central1,' }), {
      value: { regions: ['us-central1', 'europe-west1'] },
      problems: [],
    });
  });
  it('a bad name or too many regions is a problem naming the variable (fail closed: defaults kept)', () => {
    const bad = parseReviewRegions({ WORKLOAD_REGIONS: 'us-central1,-,../x' });
    assert.equal(bad.problems.length, 2);
    assert.ok(bad.problems.every((p) => p.variable === 'WORKLOAD_REGIONS'));
    assert.deepEqual(bad.value.regions, DEFAULT_WORKLOAD_REGIONS);
    const many = Array.from({ length: 21 }, (_, i) => `us-east${i + 1}`).join(',');
    assert.match(parseReviewRegions({ WORKLOAD_REGIONS: many }).problems[0]?.message ?? '', /At most 20/);
  });
});
