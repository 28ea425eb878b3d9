/**
 * Public signing keys, IAP's (and Google Chat's, shared/chat/verifier.ts):
 * fetched from IAP_PUBLIC_KEYS_URL (CHAT_PUBLIC_KEYS_URL) through
 * google-auth-library's HTTP client (gaxios, so HTTPS_PROXY and
 * NODE_EXTRA_CA_CERTS apply), cached as the response's `Cache-Control:
 * max-age` says, and refetched on an unknown key id at most once a minute.
 */
import {newOAuth2Client, type OAuth2Client} from './library';
import {nodeHttpFetch} from '../node-http-fetch';
import {UnavailableError} from '../errors';
import type {Logger} from '../log';

/** Key id to PEM, as IAP's key URL serves it. */
export type PublicKeys = Record<string, string>;

/** The least time between two refetches caused by an unknown key id. */
export const UNKNOWN_KID_REFETCH_INTERVAL_MS = 60_000;

/**
 * How long keys are kept when the response carries no usable max-age. Google
 * serves a max-age; this only guards against a stand-in that does not.
 */
export const DEFAULT_KEYS_MAX_AGE_SECONDS = 300;

/**
 * One attempt at the key URL. The library tries twice more when no answer
 * came, so a key URL that never answers costs a request about 15 s and then
 * a 503, instead of holding it until the platform's own timeout.
 */
export const KEY_FETCH_TIMEOUT_MS = 5_000;

/** After a failed refetch, how long stale keys are used before trying again. */
const STALE_RETRY_MS = 30_000;

export interface KeyStore {
  /**
   * The PEM for a key id, or undefined for an unknown one. Throws
   * UnavailableError when no keys could ever be fetched.
   */
  keyFor(kid: string): Promise<string | undefined>;
}

/** Seconds from `Cache-Control`, or undefined when it says nothing usable. */
export function maxAgeSeconds(
  cacheControl: string | null | undefined,
): number | undefined {
  if (!cacheControl) return undefined;
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(cacheControl)) return 0;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return m ? Math.min(Number(m[1]), 86_400) : undefined;
}

function headerValue(headers: unknown, name: string): string | undefined {
  // gaxios 7 answers a fetch Headers object; older shapes a plain record.
  if (headers && typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const v = (headers as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
}

function isPublicKeys(value: unknown): value is PublicKeys {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(v => typeof v === 'string')
  );
}

/**
 * Builds the key store. Concurrent requests share one fetch; a failed fetch
 * keeps serving keys that were fetched before (they were valid a moment ago).
 */
export function makeKeyStore(options: {
  url: string;
  log: Logger;
  now: () => number;
  /** One attempt's limit; KEY_FETCH_TIMEOUT_MS unless a test says otherwise. */
  timeoutMs?: number;
  /** Whose keys, for messages and the log event: IAP's unless said. */
  owner?: {name: string; event: string};
}): KeyStore {
  const {url, log, now} = options;
  const owner = options.owner ?? {name: 'IAP', event: 'iap.keys'};
  // Built on the first fetch: building the store loads no library.
  let client: Promise<OAuth2Client> | undefined;
  const newClient = () =>
    newOAuth2Client({
      endpoints: {oauth2IapPublicKeyUrl: url},
      // gaxios still builds the request and its proxy agent; this only spares
      // the cold start its lazy import of node-fetch (shared/node-http-fetch.ts).
      transporterOptions: {
        fetchImplementation: nodeHttpFetch,
        timeout: options.timeoutMs ?? KEY_FETCH_TIMEOUT_MS,
      },
    });
  let keys: PublicKeys | undefined;
  let expiresAt = 0;
  let lastUnknownKidRefetch = -Infinity;
  let inflight: Promise<PublicKeys> | undefined;

  const fetchKeys = (): Promise<PublicKeys> => {
    inflight ??= (async () => {
      try {
        client ??= newClient();
        const {pubkeys, res} = await (await client).getIapPublicKeysAsync();
        if (!isPublicKeys(pubkeys)) {
          throw new Error('the response is not a JSON object of key id to PEM');
        }
        const maxAge =
          maxAgeSeconds(headerValue(res?.headers, 'cache-control')) ??
          DEFAULT_KEYS_MAX_AGE_SECONDS;
        keys = pubkeys;
        expiresAt = now() + maxAge * 1000;
        return pubkeys;
      } catch (err) {
        // The library's message names the URL only; still, log our own words.
        log.error(
          `Cannot fetch the ${owner.name} public keys`,
          {event: owner.event, outcome: 'failure'},
          {url, reason: (err as Error).message?.slice(0, 300)},
        );
        if (keys) {
          // Keep serving the keys we have, and spare the key URL for a while.
          expiresAt = now() + STALE_RETRY_MS;
          return keys;
        }
        throw new UnavailableError(
          `The ${owner.name} public keys cannot be fetched; try again shortly`,
          {cause: err},
        );
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  const lookup = (from: PublicKeys, kid: string) =>
    Object.prototype.hasOwnProperty.call(from, kid) ? from[kid] : undefined;

  return {
    async keyFor(kid) {
      let current = keys;
      let fetchedNow = false;
      if (!current || now() >= expiresAt) {
        current = await fetchKeys();
        fetchedNow = true;
      }
      let pem = lookup(current, kid);
      if (
        pem === undefined &&
        !fetchedNow &&
        now() - lastUnknownKidRefetch >= UNKNOWN_KID_REFETCH_INTERVAL_MS
      ) {
        // IAP may have rotated its keys since we fetched them; a token with a
        // made-up kid must not make us hammer the key URL, hence the throttle.
        lastUnknownKidRefetch = now();
        current = await fetchKeys();
        pem = lookup(current, kid);
      }
      return pem;
    },
  };
}
