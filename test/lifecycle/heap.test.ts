import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapTuningFlag } from '../../src/lifecycle/heap.js';

test('the old generation may grow by half at most, unless the operator chose otherwise', () => {
  assert.equal(heapTuningFlag([], undefined), '--heap-growing-percent=50');
  assert.equal(heapTuningFlag(['--enable-source-maps'], '--max-old-space-size=512'), '--heap-growing-percent=50');
  assert.equal(heapTuningFlag(['--heap-growing-percent=100'], undefined), undefined, 'a node flag');
  assert.equal(
    heapTuningFlag([], '--max-old-space-size=512 --heap_growing_percent=20'),
    undefined,
    'NODE_OPTIONS, V8 spelling',
  );
  assert.equal(
    heapTuningFlag([], '--heap-growing-percentage=1'),
    '--heap-growing-percent=50',
    'another flag is not this one',
  );
});
