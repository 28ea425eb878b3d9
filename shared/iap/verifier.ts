/**
 * IAP assertion verification (docs/design.md §3): the `x-goog-iap-jwt-assertion`
 * header, checked with google-auth-library plus our own rules (ES256 only,
 * IAP's issuer, 30 s of clock skew, the audience pinned by
 * shared/iap/audience.ts, keys from shared/iap/keys.ts).
 *
 * The unsigned `x-goog-authenticated-user-*` headers are never read. The
 * library's error messages embed the token, so they are never logged or
 * answered: every refusal is an UnauthenticatedError with one fixed message,
 * and an `iap.authenticate` log event with a reason in our own words.
 */
import {keyUrlProblem, type Config} from '../config';
import {ConfigurationError, UnauthenticatedError} from '../errors';
import type {Logger} from '../log';
import type {
  BackendServicePort,
  Identity,
  IdentityVerifier,
  MetadataPort,
} from '../ports';
import {audienceMatches, resolveAudience, type AudiencePin} from './audience';
import {
  checkTimes,
  CLOCK_SKEW_SECONDS,
  makeSignatureCheck,
  parseCompactJws,
  Refusal,
} from './jws';
import {makeKeyStore} from './keys';

/** The header IAP adds to every request it lets through. */
export const IAP_ASSERTION_HEADER = 'x-goog-iap-jwt-assertion';
/** IAP's `iss` claim. */
export const IAP_ISSUER = 'https://cloud.google.com/iap';
/** What every refused caller reads: nothing about why. */
export const UNAUTHENTICATED_MESSAGE =
  'The request does not carry a valid IAP assertion';

export {CLOCK_SKEW_SECONDS};

export interface IapVerifierOptions {
  config: Config;
  metadata: MetadataPort;
  backendServices: BackendServicePort;
  log: Logger;
  /** Clock in milliseconds, for tests; defaults to Date.now. */
  now?: () => number;
}

function accessLevelsOf(
  payload: Record<string, unknown>,
): string[] | undefined {
  const google = payload['google'];
  if (typeof google !== 'object' || google === null) return undefined;
  const levels = (google as Record<string, unknown>)['access_levels'];
  return Array.isArray(levels) && levels.every(l => typeof l === 'string')
    ? (levels as string[])
    : undefined;
}

/**
 * Throws ConfigurationError when the key URL is not Google's on Cloud Run or
 * App Engine: a stand-in key server there would let anyone sign assertions.
 */
export function checkKeyUrlForRuntime(config: Config): void {
  const problem = keyUrlProblem(config.iap.publicKeysUrl, config.runtime);
  if (problem) throw new ConfigurationError([problem]);
}

/**
 * Builds the verifier the router puts before every route. Checks the configuration now (a
 * foreign key URL in production refuses to start) and warns when audience
 * checks are relaxed; touches no network until the first request.
 */
export function makeIapVerifier(options: IapVerifierOptions): IdentityVerifier {
  const {config, metadata, backendServices, log} = options;
  const now = options.now ?? Date.now;
  checkKeyUrlForRuntime(config);
  if (!config.iap.verifyAudience) {
    log.warn(
      'IAP_VERIFY_AUDIENCE=false: any IAP assertion for this project is accepted, whichever backend it was issued for',
      {event: 'iap.config'},
    );
  }
  const keys = makeKeyStore({url: config.iap.publicKeysUrl, log, now});
  // Only for its signature check; it holds no credentials and fetches
  // nothing. Built on the first assertion, so /health never loads it.
  const signatureCheck = makeSignatureCheck();

  let pin: AudiencePin | undefined;
  let resolving: Promise<AudiencePin> | undefined;
  const audience = (): Promise<AudiencePin> | AudiencePin => {
    if (pin) return pin;
    resolving ??= resolveAudience({config, metadata, backendServices})
      .then(p => {
        pin = p;
        log.info(
          `IAP audience pinned by ${p.rule}`,
          {event: 'iap.audience'},
          {
            audiences: p.kind === 'exact' ? p.audiences : [p.prefix + '*'],
          },
        );
        return p;
      })
      .finally(() => {
        resolving = undefined;
      });
    return resolving;
  };

  const check = async (
    header: string | string[] | undefined,
  ): Promise<Identity> => {
    if (header === undefined || header === '')
      throw new Refusal('no assertion header');
    if (Array.isArray(header))
      throw new Refusal('more than one assertion header');
    const jws = parseCompactJws(header, 'ES256');
    const {payload} = jws;

    // On Cloud Run both may be network calls (metadata, key URL): overlap them.
    const [pinned, pem] = await Promise.all([audience(), keys.keyFor(jws.kid)]);

    // Claims first, on the still unverified payload: precise reasons for the
    // log, and no signature check spent on a token that fails anyway. Nothing
    // is trusted until the library has verified the signature below.
    if (payload['iss'] !== IAP_ISSUER) throw new Refusal('wrong issuer');
    if (!audienceMatches(pinned, payload['aud'])) {
      throw new Refusal('wrong audience');
    }
    checkTimes(payload, now());
    const email = payload['email'];
    const sub = payload['sub'];
    if (typeof email !== 'string' || !email.includes('@')) {
      throw new Refusal('no email claim');
    }
    if (typeof sub !== 'string' || sub === '')
      throw new Refusal('no sub claim');
    if (pem === undefined) throw new Refusal('unknown key id');

    await signatureCheck(
      jws,
      pem,
      pinned.kind === 'exact' ? pinned.audiences : undefined,
      [IAP_ISSUER],
    );
    const accessLevels = accessLevelsOf(payload);
    return {
      email: email.toLowerCase(),
      subject: sub,
      ...(accessLevels && {accessLevels}),
    };
  };

  return {
    async verify(headers) {
      let identity: Identity;
      try {
        identity = await check(headers[IAP_ASSERTION_HEADER]);
      } catch (err) {
        if (!(err instanceof Refusal)) throw err; // 503s: audience or keys
        log.warn(
          `IAP assertion refused: ${err.message}`,
          {event: 'iap.authenticate', outcome: 'refused'},
          {reason: err.message},
        );
        throw new UnauthenticatedError(UNAUTHENTICATED_MESSAGE);
      }
      log.info(
        'IAP assertion accepted',
        {event: 'iap.authenticate', outcome: 'success', user: identity.email},
        {sub: identity.subject, accessLevels: identity.accessLevels},
      );
      return identity;
    },
  };
}
