/**
 * What the IAP verifier and the Google Chat verifier (shared/chat/verifier.ts)
 * check alike on a bearer token: a compact JWS of bounded length whose
 * algorithm is pinned before anything else, its key id, its time claims
 * with our 30 s of skew, and finally its signature, checked by
 * google-auth-library against one key. Every failure is a Refusal whose
 * reason is in our own words (the library's messages embed the token).
 */
import {newOAuth2Client, type OAuth2Client} from './library';

/** Our clock skew allowance; the library alone allows 300 s. */
export const CLOCK_SKEW_SECONDS = 30;

// Real tokens are 1–2 KB; this bounds the work a junk header costs.
const MAX_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A refusal: `reason` goes to the log, never to the caller. */
export class Refusal extends Error {}

/** A token whose form, algorithm and key id were checked; nothing trusted yet. */
export interface ParsedJws {
  token: string;
  kid: string;
  /** Unverified until `verifySignature` has run. */
  payload: Record<string, unknown>;
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(
      Buffer.from(segment, 'base64url').toString('utf8'),
    );
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a compact JWS and pins its algorithm: the library verifies whatever
 * algorithm a key happens to accept (alg none, HS256 keyed with the public
 * PEM, …), so a token of any other `alg` is refused before it runs.
 */
export function parseCompactJws(token: string, alg: string): ParsedJws {
  if (token.length > MAX_TOKEN_LENGTH) throw new Refusal('token too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new Refusal('not a compact JWS');
  const [h, p, signature] = parts as [string, string, string];
  if (!BASE64URL.test(h) || !BASE64URL.test(p)) {
    throw new Refusal('not a compact JWS');
  }
  const header = decodeJson(h);
  const payload = decodeJson(p);
  if (!header || !payload) throw new Refusal('header or payload is not JSON');
  if (header['alg'] !== alg) {
    throw new Refusal(
      `algorithm ${JSON.stringify(header['alg'])?.slice(0, 16)} is not ${alg}`,
    );
  }
  if (!BASE64URL.test(signature)) throw new Refusal('no signature');
  const kid = header['kid'];
  if (typeof kid !== 'string' || kid === '') throw new Refusal('no key id');
  return {token, kid, payload};
}

/** `exp` and `iat` are numbers, within CLOCK_SKEW_SECONDS of `nowMs`. */
export function checkTimes(
  payload: Record<string, unknown>,
  nowMs: number,
): void {
  const nowSeconds = nowMs / 1000;
  const exp = payload['exp'];
  const iat = payload['iat'];
  if (typeof exp !== 'number' || typeof iat !== 'number') {
    throw new Refusal('exp or iat is not a number');
  }
  if (nowSeconds > exp + CLOCK_SKEW_SECONDS) throw new Refusal('expired');
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    throw new Refusal('issued in the future');
  }
}

/**
 * Checks the signature with the one key the token names (its PEM), and the
 * library's own claim checks with our audiences and issuers. Built on the
 * first call, so that serving no token loads no library.
 */
export function makeSignatureCheck(): (
  jws: ParsedJws,
  pem: string,
  audiences: string[] | undefined,
  issuers: string[],
) => Promise<void> {
  let library: Promise<OAuth2Client> | undefined;
  return async (jws, pem, audiences, issuers) => {
    library ??= newOAuth2Client();
    const client = await library;
    try {
      await client.verifySignedJwtWithCertsAsync(
        jws.token,
        {[jws.kid]: pem},
        audiences,
        issuers,
      );
    } catch {
      // The library's message contains the token: keep only our own words.
      throw new Refusal('signature (or a claim) rejected by the library');
    }
  };
}
