// Time-based access, as Google offers it: on the consent screen the user may grant access "for a limited
// time"; the token responses then carry `refresh_token_expires_in`, and once the time is up the grant is over
// (refreshes answer invalid_grant, the next sign-in shows the consent screen again).
import type { Grant } from '../state.js';

export const GRANT_LIFETIME_FIELD = 'grant_lifetime';

const STANDARD_CHOICES: ReadonlyArray<{ seconds: number | null; label: string }> = [
  { seconds: null, label: 'Until you remove access' },
  { seconds: 3600, label: 'For 1 hour' },
  { seconds: 86_400, label: 'For 1 day' },
  { seconds: 604_800, label: 'For 1 week' },
];

export interface LifetimeChoice {
  value: string;
  label: string;
  selected: boolean;
}

function describe(seconds: number): string {
  if (seconds % 86_400 === 0) return `For ${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `For ${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `For ${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `For ${seconds} seconds`;
}

/** The select's options; a test's `grantLifetimeSeconds` is preselected (added when it is not a standard one). */
export function lifetimeChoices(preset: number | null): LifetimeChoice[] {
  const choices = STANDARD_CHOICES.map((c) => ({
    value: c.seconds === null ? '' : String(c.seconds),
    label: c.label,
    selected: c.seconds === preset,
  }));
  if (preset !== null && !STANDARD_CHOICES.some((c) => c.seconds === preset))
    choices.push({ value: String(preset), label: describe(preset), selected: true });
  return choices;
}

/**
 * The submitted choice: null = until removed; 'invalid' when it is not one the screen offered. A form without
 * the field (a test posting the consent by hand) keeps the preselected choice, as a browser would send it.
 */
export function parseLifetimeField(raw: unknown, preset: number | null): number | null | 'invalid' {
  if (raw === undefined) return preset;
  if (raw === '') return null;
  if (typeof raw !== 'string') return 'invalid';
  return lifetimeChoices(preset).some((c) => c.value === raw) ? Number(raw) : 'invalid';
}

export function grantEnded(grant: Grant, now: number): boolean {
  return grant.expiresAt !== undefined && grant.expiresAt <= now;
}

/** Sets (or clears) the grant's end for a consent that chose `seconds`. */
export function applyGrantLifetime(grant: Grant, seconds: number | null, now: number): void {
  if (seconds === null) delete grant.expiresAt;
  else grant.expiresAt = now + seconds * 1000;
}

/** `refresh_token_expires_in` for a token response: the grant's remaining lifetime, when it has one. */
export function refreshTokenExpiresIn(grant: Grant | undefined, now: number): number | undefined {
  if (grant?.expiresAt === undefined) return undefined;
  // Rounded up: a grant with 0.4 s left still has a (last) second.
  return Math.max(0, Math.ceil((grant.expiresAt - now) / 1000));
}
