/**
 * Token encryption at rest: AES-256-GCM under a keyring. The only module that touches key material.
 *
 * Keyring spec (`TOKEN_KEYS`): `<kid>:<base64 of 32 bytes>[,<kid>:<base64>...]`; the first key encrypts, all
 * keys decrypt (rotation: put the new key first, keep the old ones until every sealed value was resealed).
 *
 * Sealed format: `v1.<kid>.<iv b64url>.<ciphertext b64url>.<tag b64url>`, 12-byte random IV, 16-byte tag.
 * The GCM additional data is `v1.<kid>.<aad>`: the caller's `aad` (e.g. the session user's sub) binds the
 * ciphertext to its context, so a value copied into another context fails to open.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

export type TokenCryptoErrorCode = 'TOKEN_KEYS_INVALID' | 'UNKNOWN_KEY' | 'TAMPERED' | 'MALFORMED' | 'UNSERIALIZABLE';

export class TokenCryptoError extends Error {
  override readonly name = 'TokenCryptoError';
  readonly code: TokenCryptoErrorCode;

  constructor(code: TokenCryptoErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isTokenCryptoError(value: unknown): value is TokenCryptoError {
  return value instanceof TokenCryptoError;
}

const VERSION = 'v1';
const KID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;
const KEY_B64 = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43}=?)$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** Module-private accessor to a keyring's keys (assigned in Keyring's static block). */
let keyFor: (keyring: Keyring, kid: string) => KeyObject | undefined;

/**
 * Parsed keys. Opaque: the KeyObjects live in private fields, so neither `JSON.stringify` nor
 * `util.inspect` shows them; only key ids are public.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly #currentKid: string;

  /** Use `parseKeyring`. */
  constructor(entries: ReadonlyArray<{ kid: string; key: KeyObject }>) {
    const first = entries[0];
    if (first === undefined) throw new TokenCryptoError('TOKEN_KEYS_INVALID', 'TOKEN_KEYS holds no key.');
    this.#currentKid = first.kid;
    this.#keys = new Map(entries.map((e) => [e.kid, e.key]));
  }

  /** The key id new values are sealed under. */
  get currentKid(): string {
    return this.#currentKid;
  }

  /** All key ids, current first. */
  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  static {
    keyFor = (keyring, kid) => keyring.#keys.get(kid);
  }

  toJSON(): { currentKid: string; kids: string[] } {
    return { currentKid: this.currentKid, kids: this.kids };
  }
}

/**
 * Parses a `TOKEN_KEYS` spec. Errors (`TOKEN_KEYS_INVALID`) name the entry by position and the problem,
 * and never quote key material (nor a key id that failed validation, in case a key was pasted there).
 */
export function parseKeyring(spec: string): Keyring {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new TokenCryptoError('TOKEN_KEYS_INVALID', 'TOKEN_KEYS is empty; expected <kid>:<base64 of 32 bytes>[,...].');
  }
  const entries: Array<{ kid: string; key: KeyObject }> = [];
  const seen = new Set<string>();
  const parts = spec.split(',');
  parts.forEach((raw, index) => {
    const position = `TOKEN_KEYS entry ${index + 1}`;
    const entry = raw.trim();
    if (entry === '') throw new TokenCryptoError('TOKEN_KEYS_INVALID', `${position} is empty.`);
    const colon = entry.indexOf(':');
    if (colon < 0 || colon !== entry.lastIndexOf(':')) {
      throw new TokenCryptoError('TOKEN_KEYS_INVALID', `${position} is not in the form <kid>:<base64 of 32 bytes>.`);
    }
    const kid = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KID.test(kid)) {
      throw new TokenCryptoError('TOKEN_KEYS_INVALID', `${position}: the key id must match [A-Za-z0-9_-]{1,32}.`);
    }
    if (seen.has(kid)) {
      throw new TokenCryptoError('TOKEN_KEYS_INVALID', `${position}: duplicate key id "${kid}".`);
    }
    if (!KEY_B64.test(encoded)) {
      const decodedLength = B64URL.test(encoded.replace(/[+/=]/g, ''))
        ? Buffer.from(encoded, 'base64').length
        : undefined;
      const detail = decodedLength !== undefined ? `decodes to ${decodedLength} bytes` : 'is not base64';
      throw new TokenCryptoError(
        'TOKEN_KEYS_INVALID',
        `${position} (kid "${kid}"): the key ${detail}; expected base64 of exactly ${KEY_BYTES} bytes.`,
      );
    }
    const bytes = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length !== KEY_BYTES) {
      bytes.fill(0);
      throw new TokenCryptoError(
        'TOKEN_KEYS_INVALID',
        `${position} (kid "${kid}"): the key decodes to the wrong length; expected ${KEY_BYTES} bytes.`,
      );
    }
    const key = createSecretKey(bytes);
    bytes.fill(0);
    seen.add(kid);
    entries.push({ kid, key });
  });
  return new Keyring(entries);
}

/** A fresh `<kid>:<base64 of 32 random bytes>` entry (e.g. for the demo's data/ directory). */
export function generateKeySpec(kid: string): string {
  if (!KID.test(kid)) {
    throw new TokenCryptoError('TOKEN_KEYS_INVALID', 'The key id must match [A-Za-z0-9_-]{1,32}.');
  }
  return `${kid}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

function additionalData(kid: string, aad: string): Buffer {
  return Buffer.from(`${VERSION}.${kid}.${aad}`, 'utf8');
}

/** Encrypts `JSON.stringify(value)` under the keyring's current key, bound to `aad`. */
export function sealJson(keyring: Keyring, value: unknown, aad: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new TokenCryptoError('UNSERIALIZABLE', 'The value cannot be serialised as JSON.');
  const kid = keyring.currentKid;
  const key = keyFor(keyring, kid);
  if (key === undefined) throw new TokenCryptoError('UNKNOWN_KEY', 'The keyring has no current key.');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(kid, aad));
  const plaintext = Buffer.from(json, 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  const tag = cipher.getAuthTag();
  return [VERSION, kid, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join(
    '.',
  );
}

interface SealedParts {
  kid: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function malformed(what: string): TokenCryptoError {
  return new TokenCryptoError('MALFORMED', `Sealed value is malformed: ${what}.`);
}

/** Strict base64url: only canonical encodings are accepted, so no two strings open to the same bytes. */
function decodeB64url(text: string, what: string): Buffer {
  if (!B64URL.test(text)) throw malformed(`${what} is not base64url`);
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw malformed(`${what} is not canonical base64url`);
  return bytes;
}

function parseSealed(sealed: unknown): SealedParts {
  if (typeof sealed !== 'string') throw malformed('not a string');
  const parts = sealed.split('.');
  if (parts.length !== 5) throw malformed('expected 5 dot-separated parts');
  const [version, kid, ivText, ctText, tagText] = parts as [string, string, string, string, string];
  if (version !== VERSION) throw malformed('unknown version');
  if (!KID.test(kid)) throw malformed('bad key id');
  const iv = decodeB64url(ivText, 'iv');
  if (iv.length !== IV_BYTES) throw malformed(`iv must be ${IV_BYTES} bytes`);
  const ciphertext = decodeB64url(ctText, 'ciphertext');
  if (ciphertext.length === 0) throw malformed('empty ciphertext');
  const tag = decodeB64url(tagText, 'tag');
  if (tag.length !== TAG_BYTES) throw malformed(`tag must be ${TAG_BYTES} bytes`);
  return { kid, iv, ciphertext, tag };
}

/**
 * Decrypts and parses a sealed value. Throws `TokenCryptoError`: `MALFORMED` (not our format),
 * `UNKNOWN_KEY` (kid not in the keyring), `TAMPERED` (authentication failed: altered, or wrong `aad`).
 */
export function openJson(keyring: Keyring, sealed: string, aad: string): unknown {
  const { kid, iv, ciphertext, tag } = parseSealed(sealed);
  const key = keyFor(keyring, kid);
  if (key === undefined)
    throw new TokenCryptoError('UNKNOWN_KEY', `Sealed value uses key id "${kid}", which is not in the keyring.`);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(kid, aad));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new TokenCryptoError(
      'TAMPERED',
      'Sealed value failed authentication (altered, or opened in the wrong context).',
    );
  }
  try {
    return JSON.parse(plaintext.toString('utf8')) as unknown;
  } catch {
    throw malformed('authentic but not JSON');
  } finally {
    plaintext.fill(0);
  }
}

/** True when `sealed` is not under the keyring's current key (it should be resealed). Throws MALFORMED. */
export function needsReencrypt(keyring: Keyring, sealed: string): boolean {
  return parseSealed(sealed).kid !== keyring.currentKid;
}

/** Opens with any key of the ring and seals again under the current key (fresh IV). */
export function reseal(keyring: Keyring, sealed: string, aad: string): string {
  return sealJson(keyring, openJson(keyring, sealed, aad), aad);
}
