// RS256 signing keys, the published JWKS, and key rotation. Nothing else in the mock touches keys.
import { randomBytes } from 'node:crypto';
import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  createLocalJWKSet,
  base64url,
  type JWK,
  type JWTPayload,
  type CryptoKey,
} from 'jose';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** How to (mis)sign: `rs256` is the honest path; the others exist for the hostile-IdP modes. */
export type SignStyle = 'rs256' | 'alg-none' | 'hs256' | 'bad-signature' | 'unknown-kid';

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = randomBytes(20).toString('hex');
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { kty: jwk.kty, alg: 'RS256', use: 'sig', kid, n: jwk.n, e: jwk.e } };
}

export class KeyStore {
  private keys: SigningKey[];
  private readonly initial: SigningKey;

  private constructor(first: SigningKey) {
    this.initial = first;
    this.keys = [first];
  }

  static async create(): Promise<KeyStore> {
    return new KeyStore(await newKey());
  }

  /** Adds a new key, signs with it from now on, keeps the older ones published. Returns the new kid. */
  async rotate(): Promise<string> {
    const key = await newKey();
    this.keys.push(key);
    return key.kid;
  }

  /** Back to the very first key only (used by /__control/reset). */
  reset(): void {
    this.keys = [this.initial];
  }

  get currentKid(): string {
    return this.current().kid;
  }

  jwks(): { keys: JWK[] } {
    // Newest first, like a freshly rotated Google JWKS.
    return { keys: [...this.keys].reverse().map((k) => ({ ...k.publicJwk })) };
  }

  private current(): SigningKey {
    const key = this.keys[this.keys.length - 1];
    if (!key) throw new Error('no signing key');
    return key;
  }

  async sign(claims: JWTPayload, style: SignStyle = 'rs256', hsSecret = 'secret'): Promise<string> {
    switch (style) {
      case 'alg-none': {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        return `${header}.${base64url.encode(JSON.stringify(claims))}.`;
      }
      case 'hs256':
        return new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: this.current().kid, typ: 'JWT' })
          .sign(new TextEncoder().encode(hsSecret));
      case 'unknown-kid': {
        const stranger = await newKey();
        return new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: stranger.kid, typ: 'JWT' })
          .sign(stranger.privateKey);
      }
      case 'bad-signature': {
        const jwt = await this.sign(claims, 'rs256');
        const [h, p, s = ''] = jwt.split('.');
        const sig = Buffer.from(s, 'base64url');
        sig[0] = (sig[0] ?? 0) ^ 0xff;
        sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 0x01;
        return `${h}.${p}.${sig.toString('base64url')}`;
      }
      case 'rs256': {
        const key = this.current();
        return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
      }
    }
  }

  /** Verifies an ID token against the published keys (for /tokeninfo?id_token=). */
  async verify(jwt: string, issuer: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(this.jwks()), { issuer, algorithms: ['RS256'] });
    return payload;
  }
}
