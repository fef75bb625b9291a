/**
 * The regions the Cloud Run and Workflows sections read. Neither API lists across locations: Cloud Run v2's
 * services.list says the location "may not be the '-' wildcard", and the Workflows API documents no wildcard
 * for workflows.list. So the sections read a list of regions: `WORKLOAD_REGIONS`, or these defaults.
 */
import { isRegion } from '../google/ids.js';

export const DEFAULT_WORKLOAD_REGIONS: readonly string[] = [
  'us-central1',
  'us-east1',
  'europe-west1',
  'europe-west4',
  'asia-northeast1',
];
/** Each region is one call per section per page view: keep the fan-out bounded. */
export const MAX_WORKLOAD_REGIONS = 20;

export interface ReviewRegionsConfig {
  readonly regions: readonly string[];
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** `WORKLOAD_REGIONS`: comma-separated region names (e.g. `us-central1,europe-west1`); unset or empty: the defaults. */
export function parseReviewRegions(env: Readonly<Record<string, string | undefined>>): {
  value: ReviewRegionsConfig;
  problems: ConfigProblem[];
} {
  const raw = env['WORKLOAD_REGIONS'];
  if (raw === undefined || raw.trim() === '') return { value: { regions: DEFAULT_WORKLOAD_REGIONS }, problems: [] };
  const problems: ConfigProblem[] = [];
  const regions: string[] = [];
  for (const part of raw.split(',')) {
    const r = part.trim();
    if (r === '') continue;
    if (!isRegion(r as unknown)) {
      problems.push({
        variable: 'WORKLOAD_REGIONS',
        message: `"${r.slice(0, 40)}" is not a region name (expected names like us-central1, comma-separated).`,
      });
    } else if (!regions.includes(r)) {
      regions.push(r);
    }
  }
  if (regions.length > MAX_WORKLOAD_REGIONS) {
    problems.push({
      variable: 'WORKLOAD_REGIONS',
      message: `At most ${MAX_WORKLOAD_REGIONS} regions (got ${regions.length}).`,
    });
  }
  if (regions.length === 0 && problems.length === 0)
    problems.push({ variable: 'WORKLOAD_REGIONS', message: 'No region given.' });
  return { value: { regions: problems.length === 0 ? regions : DEFAULT_WORKLOAD_REGIONS }, problems };
}
