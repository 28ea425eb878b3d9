/**
 * Google Chat's bearer token on every call to the `chat` target
 * (docs/chat.md): the Chat app's HTTP endpoint cannot sit behind IAP (Chat
 * calls it, not a signed-in browser), so it checks Chat's token itself, as
 * tightly as the IAP module checks an assertion. Two kinds, as the Chat
 * app's configuration chooses, told apart by CHAT_AUDIENCE:
 *
 * - the project number: a JWT Chat signs itself, issuer
 *   `chat@system.gserviceaccount.com`, audience the project number, signed
 *   with a key from Chat's certificates;
 * - the endpoint URL: a Google OIDC ID token for
 *   `chat@system.gserviceaccount.com` (email verified), issuer
 *   `https://accounts.google.com`, audience the endpoint URL, signed with a
 *   key from Google's OAuth 2.0 certificates. Google documents newer Chat
 *   apps' tokens as issued for the project's own Chat service account,
 *   `service-<PROJECT_NUMBER>@gcp-sa-gsuiteaddons.iam.gserviceaccount.com`:
 *   accepted too when PROJECT_NUMBER is known, and for that project only.
 *
 * RS256 only, the audience pinned from configuration (never read from the
 * request), 30 s of clock skew, keys fetched and cached as IAP's are
 * (shared/iap/keys.ts), a key URL other than Google's refused on Cloud Run.
 * Every refusal is a 401 with one fixed message and a `chat.authenticate`
 * log event with the reason in our own words.
 */
import {chatKeyUrlProblem, type ChatConfig, type Config} from '../config';
import {ConfigurationError, UnauthenticatedError} from '../errors';
import {
  checkTimes,
  makeSignatureCheck,
  parseCompactJws,
  Refusal,
} from '../iap/jws';
import {makeKeyStore} from '../iap/keys';
import type {Logger} from '../log';
import type {Identity, IdentityVerifier} from '../ports';

/** The service account Chat calls as, and the issuer of its own tokens. */
export const CHAT_ISSUER = 'chat@system.gserviceaccount.com';
/** The issuers of Google's OIDC ID tokens. */
export const GOOGLE_OIDC_ISSUERS = [
  'https://accounts.google.com',
  'accounts.google.com',
];
/** What every refused caller reads. */
export const CHAT_UNAUTHENTICATED_MESSAGE =
  'The request does not carry a valid Google Chat token';

/** The per-project Chat service account of Google's newer documentation. */
export function projectChatAccount(projectNumber: string): string {
  return `service-${projectNumber}@gcp-sa-gsuiteaddons.iam.gserviceaccount.com`;
}

export interface ChatVerifierOptions {
  chat: ChatConfig | undefined;
  /** PROJECT_NUMBER: admits the project's own Chat service account. */
  projectNumber?: string;
  runtime: Config['runtime'];
  log: Logger;
  /** Clock in milliseconds, for tests; defaults to Date.now. */
  now?: () => number;
}

/**
 * Builds the verifier of the `chat` target. Throws ConfigurationError when
 * CHAT_AUDIENCE is unset (nothing to pin) or the key URL is not Google's on
 * Cloud Run; touches no network until the first call.
 */
export function makeChatVerifier(
  options: ChatVerifierOptions,
): IdentityVerifier {
  const {chat, log} = options;
  const now = options.now ?? Date.now;
  const audience = chat?.audience;
  if (!chat || !audience) {
    throw new ConfigurationError([
      'CHAT_AUDIENCE=unset: expected the project number of the Chat app, or its endpoint URL, for the chat target (docs/chat.md)',
    ]);
  }
  const problem = chatKeyUrlProblem(chat, options.runtime);
  if (problem) throw new ConfigurationError([problem]);

  const keys = makeKeyStore({
    url: chat.publicKeysUrl,
    log,
    now,
    owner: {name: 'Google Chat', event: 'chat.keys'},
  });
  const signatureCheck = makeSignatureCheck();
  const expected =
    audience.kind === 'projectNumber' ? audience.number : audience.url;
  const issuers =
    audience.kind === 'projectNumber' ? [CHAT_ISSUER] : GOOGLE_OIDC_ISSUERS;
  const chatAccounts = [
    CHAT_ISSUER,
    ...(options.projectNumber
      ? [projectChatAccount(options.projectNumber)]
      : []),
  ];

  const check = async (
    header: string | string[] | undefined,
  ): Promise<Identity> => {
    if (header === undefined || header === '') {
      throw new Refusal('no Authorization header');
    }
    if (Array.isArray(header)) {
      throw new Refusal('more than one Authorization header');
    }
    const m = /^Bearer +(\S+)$/i.exec(header);
    if (!m) throw new Refusal('not a bearer token');
    const jws = parseCompactJws(m[1]!, 'RS256');
    const {payload} = jws;
    const pem = await keys.keyFor(jws.kid);

    // Claims first, on the still unverified payload (as for IAP).
    if (!issuers.includes(payload['iss'] as string)) {
      throw new Refusal('wrong issuer');
    }
    if (payload['aud'] !== expected) throw new Refusal('wrong audience');
    checkTimes(payload, now());
    if (audience.kind === 'endpointUrl') {
      if (!chatAccounts.includes(payload['email'] as string)) {
        throw new Refusal('not a token of Google Chat');
      }
      if (payload['email_verified'] !== true) {
        throw new Refusal('email not verified');
      }
    }
    if (pem === undefined) throw new Refusal('unknown key id');
    await signatureCheck(jws, pem, [expected], issuers);
    const sub = payload['sub'];
    return {
      email: CHAT_ISSUER,
      subject: typeof sub === 'string' && sub !== '' ? sub : CHAT_ISSUER,
    };
  };

  return {
    async verify(headers) {
      let identity: Identity;
      try {
        identity = await check(headers['authorization']);
      } catch (err) {
        if (!(err instanceof Refusal)) throw err; // 503: the keys
        log.warn(
          `Google Chat token refused: ${err.message}`,
          {event: 'chat.authenticate', outcome: 'refused'},
          {reason: err.message, audience: audience.kind},
        );
        throw new UnauthenticatedError(CHAT_UNAUTHENTICATED_MESSAGE);
      }
      log.info(
        'Google Chat token accepted',
        {event: 'chat.authenticate', outcome: 'success'},
        {audience: audience.kind},
      );
      return identity;
    },
  };
}
