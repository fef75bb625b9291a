// Features for the tests of src/scopes: the catalogue's own, and made-up ones for one check at a time.
import assert from 'node:assert/strict';
import { type FeatureScopes, getFeature } from '../../src/scopes/index.js';

/** A feature of the real catalogue, which must exist. */
export function catalogueFeature(id: string): FeatureScopes {
  const f = getFeature(id);
  assert.ok(f, `feature ${id} exists`);
  return f;
}

/** A made-up feature calling `methods` with `scopes`; its summary and why are fillers no check reads. */
export function syntheticFeature(
  fields: Pick<FeatureScopes, 'id' | 'title' | 'methods' | 'scopes'> & Partial<FeatureScopes>,
): FeatureScopes {
  return { summary: 'synthetic', why: 'synthetic', ...fields };
}
