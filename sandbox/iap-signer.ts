/**
 * Plays IAP's signing side: an ES256 key pair and compact JWS assertions in
 * the shape IAP puts into `x-goog-iap-jwt-assertion`. Used by the tests and by
 * the local sandbox, which serves `publicKeys()` at IAP_PUBLIC_KEYS_URL so the
 * functions verify real signatures and never switch verification off.
 *
 * It imports nothing from shared/: it must not agree with a bug in the
 * verifier.
 */
import * as crypto from 'crypto';

/** IAP's issuer claim. */
export const IAP_ISSUER = 'https://cloud.google.com/iap';

/** The claims of an assertion; anything extra is copied into the payload. */
export interface IapClaims {
  email: string;
  /** Defaults to `accounts.google.com:<digits derived from the email>`. */
  sub?: string;
  aud: string;
  /** Seconds since the epoch; defaults to now. */
  iat?: number;
  /** Seconds since the epoch; defaults to iat + 600. */
  exp?: number;
  iss?: string;
  [claim: string]: unknown;
}

/** Overrides for building deliberately bad assertions in tests. */
export interface SignOptions {
  /** The header's `kid`; defaults to the signer's key id. */
  kid?: string;
  /** Extra or replacing header fields (e.g. `alg`). The signature is still ES256. */
  header?: Record<string, unknown>;
  /** Clock, in milliseconds; defaults to Date.now. */
  now?: number;
}

export interface IapSigner {
  readonly kid: string;
  /** A compact JWS as IAP makes them. */
  sign(claims: IapClaims, options?: SignOptions): string;
  /** `{kid: PEM}`, as IAP's public key URL serves it. */
  publicKeys(): Record<string, string>;
  /** The public key as PEM (SPKI). */
  readonly publicKeyPem: string;
  /** The private key, for tests that build their own tokens. */
  readonly privateKey: crypto.KeyObject;
}

/** base64url of a string or buffer, without padding. */
export function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** A stable numeric subject for an email, like Google's `accounts.google.com:<id>`. */
export function subjectFor(email: string): string {
  const digest = crypto
    .createHash('sha256')
    .update(email.toLowerCase())
    .digest();
  return `accounts.google.com:1${digest.readBigUInt64BE(0).toString().padStart(20, '0')}`;
}

/** Makes a signer with a fresh P-256 key pair and a random key id. */
export function makeIapSigner(options: {kid?: string} = {}): IapSigner {
  const {privateKey, publicKey} = crypto.generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  const kid = options.kid ?? crypto.randomBytes(6).toString('base64url');
  const publicKeyPem = publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;

  return {
    kid,
    publicKeyPem,
    privateKey,
    publicKeys: () => ({[kid]: publicKeyPem}),
    sign(claims, opts = {}) {
      const nowSeconds = Math.floor((opts.now ?? Date.now()) / 1000);
      const iat = claims.iat ?? nowSeconds;
      const header = {
        alg: 'ES256',
        typ: 'JWT',
        kid: opts.kid ?? kid,
        ...opts.header,
      };
      const payload = {
        iss: IAP_ISSUER,
        sub: subjectFor(claims.email),
        ...claims,
        iat,
        exp: claims.exp ?? iat + 600,
      };
      const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
      // JWS ES256 wants the raw r||s form, not DER (RFC 7518 §3.4).
      const signature = crypto.sign('sha256', Buffer.from(signingInput), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${signingInput}.${base64url(signature)}`;
    },
  };
}
