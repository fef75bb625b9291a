/**
 * Stable finding fingerprints, so that CI (SARIF `partialFingerprints`), ticketing and the review's history can
 * tell "the same finding again" from "a new one" (pure).
 *
 * A fingerprint is a hash of the finding's code and of what it is about, from the most general part to the most
 * specific: for the CI lint `[file, workflow, step]`, for the review `[project, resource name, step]`. Never a
 * line number (moving a step is not a new finding) nor a message (texts change and will be translated).
 * Identical identities in one report (two steps with the same name) are told apart by their order of
 * appearance, as GitHub does for its own line hashes (`:1`, `:2`, …).
 */
import { createHash } from 'node:crypto';

/** The `partialFingerprints` key in SARIF; the version changes if the recipe ever does. */
export const FINGERPRINT_KEY = 'scopewiseFinding/v1';

/** 32 hex digits (128 bits of SHA-256) over the code and the identity parts, without the occurrence. */
export function findingFingerprint(code: string, identity: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify(['scopewise-finding', 1, code, ...identity]))
    .digest('hex')
    .slice(0, 32);
}

/** Each hash with `:n`, its occurrence among equal hashes so far (`:1` for the first). */
export function withOccurrences(hashes: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return hashes.map((hash) => {
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}:${n}`;
  });
}
