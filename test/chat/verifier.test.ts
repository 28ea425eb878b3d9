/**
 * The Google Chat verifier (shared/chat/verifier.ts) with real RS256 tokens
 * from the Chat stand-in (sandbox/chat-signer.ts) and keys served over
 * loopback, in both of Chat's modes, and forged tokens of every kind.
 */
import {loadConfig} from '../../shared/config';
import {makeChatVerifier} from '../../shared/chat/verifier';
import {ConfigurationError, UnauthenticatedError} from '../../shared/errors';
import {makeMemoryLogger} from '../../shared/log';
import {makeChatSigner, type ChatSigner} from '../../sandbox/chat-signer';
import {startIapKeyServer, type IapKeyServer} from '../support/iap';

const NUMBER = '123456789012';
const ENDPOINT = 'https://jit-chat-123456789012.europe-west1.run.app/chat';

let signer: ChatSigner;
let stranger: ChatSigner;
let keys: IapKeyServer;
beforeAll(async () => {
  signer = makeChatSigner();
  stranger = makeChatSigner();
  keys = await startIapKeyServer(signer);
});
afterAll(() => keys.close());

function verifierFor(audience: string) {
  const log = makeMemoryLogger();
  const config = loadConfig({
    GOOGLE_CLOUD_PROJECT: 'test-project',
    CHAT_AUDIENCE: audience,
    CHAT_PUBLIC_KEYS_URL: keys.url,
  });
  return {
    verifier: makeChatVerifier({
      chat: config.chat,
      projectNumber: NUMBER,
      runtime: {},
      log: log.logger,
    }),
    log,
  };
}

const bearer = (token: string) => ({authorization: `Bearer ${token}`});

async function refusal(
  audience: string,
  headers: Record<string, string | undefined>,
): Promise<string> {
  const {verifier, log} = verifierFor(audience);
  await expect(verifier.verify(headers)).rejects.toBeInstanceOf(
    UnauthenticatedError,
  );
  const labels = (e: Record<string, unknown>) =>
    (e['logging.googleapis.com/labels'] ?? {}) as Record<string, string>;
  const entry = log
    .entries()
    .find(e => labels(e)['event'] === 'chat.authenticate');
  expect(entry && labels(entry)['outcome']).toBe('refused');
  return String(entry?.['reason']);
}

it('serves its keys as certificates, as Google does', () => {
  expect(Object.values(signer.publicKeys())[0]).toMatch(
    /^-----BEGIN CERTIFICATE-----/,
  );
});

describe('project number mode (tokens Chat signs itself)', () => {
  it('accepts a token of Chat for the project number', async () => {
    const {verifier} = verifierFor(NUMBER);
    const identity = await verifier.verify(
      bearer(signer.projectNumberToken(NUMBER)),
    );
    expect(identity.email).toBe('chat@system.gserviceaccount.com');
  });

  it.each([
    ['another project number', () => signer.projectNumberToken('999')],
    ['the endpoint URL as audience', () => signer.projectNumberToken(ENDPOINT)],
  ])('refuses a token for %s', async (_, token) => {
    expect(await refusal(NUMBER, bearer(token()))).toBe('wrong audience');
  });

  it('refuses a Google OIDC token (wrong issuer for this mode)', async () => {
    expect(await refusal(NUMBER, bearer(signer.endpointUrlToken(NUMBER)))).toBe(
      'wrong issuer',
    );
  });

  it('refuses an expired token, beyond 30 s of skew', async () => {
    const hourAndMinuteAgo = Date.now() - 3_661_000;
    expect(
      await refusal(
        NUMBER,
        bearer(signer.projectNumberToken(NUMBER, {now: hourAndMinuteAgo})),
      ),
    ).toBe('expired');
  });

  it('accepts a token that expired 20 s ago (within the skew)', async () => {
    const {verifier} = verifierFor(NUMBER);
    await expect(
      verifier.verify(
        bearer(
          signer.projectNumberToken(NUMBER, {now: Date.now() - 3_620_000}),
        ),
      ),
    ).resolves.toMatchObject({email: 'chat@system.gserviceaccount.com'});
  });

  it('refuses a token signed by another key under a known key id', async () => {
    const forged = stranger.projectNumberToken(NUMBER, {kid: signer.kid});
    expect(await refusal(NUMBER, bearer(forged))).toBe(
      'signature (or a claim) rejected by the library',
    );
  });

  it('refuses a token of an unknown key', async () => {
    expect(
      await refusal(NUMBER, bearer(stranger.projectNumberToken(NUMBER))),
    ).toBe('unknown key id');
  });

  it.each([
    ['none', {alg: 'none'}],
    ['HS256', {alg: 'HS256'}],
    ['ES256', {alg: 'ES256'}],
  ])('refuses alg %s before any signature check', async (alg, header) => {
    expect(
      await refusal(
        NUMBER,
        bearer(signer.projectNumberToken(NUMBER, {header})),
      ),
    ).toBe(`algorithm "${alg}" is not RS256`);
  });

  it.each([
    ['no header', {}, 'no Authorization header'],
    [
      'a Basic header',
      {authorization: 'Basic dXNlcjpwYXNz'},
      'not a bearer token',
    ],
    ['junk', {authorization: 'Bearer a.b'}, 'not a compact JWS'],
  ])('refuses %s', async (_, headers, reason) => {
    expect(await refusal(NUMBER, headers)).toBe(reason);
  });
});

describe('endpoint URL mode (Google OIDC ID tokens)', () => {
  it('accepts an ID token of Chat for the endpoint URL', async () => {
    const {verifier} = verifierFor(ENDPOINT);
    await expect(
      verifier.verify(bearer(signer.endpointUrlToken(ENDPOINT))),
    ).resolves.toMatchObject({email: 'chat@system.gserviceaccount.com'});
  });

  it('refuses an ID token for another URL', async () => {
    expect(
      await refusal(
        ENDPOINT,
        bearer(signer.endpointUrlToken('https://evil.example/chat')),
      ),
    ).toBe('wrong audience');
  });

  it('refuses an ID token of another service account (anyone can mint one for any URL)', async () => {
    const token = signer.endpointUrlToken(ENDPOINT, {
      claims: {email: 'attacker@evil-project.iam.gserviceaccount.com'},
    });
    expect(await refusal(ENDPOINT, bearer(token))).toBe(
      'not a token of Google Chat',
    );
  });

  it("accepts an ID token of the project's own Chat service account, and refuses another project's", async () => {
    const {verifier} = verifierFor(ENDPOINT);
    const own = signer.endpointUrlToken(ENDPOINT, {
      claims: {
        email: `service-${NUMBER}@gcp-sa-gsuiteaddons.iam.gserviceaccount.com`,
      },
    });
    await expect(verifier.verify(bearer(own))).resolves.toMatchObject({
      email: 'chat@system.gserviceaccount.com',
    });
    const other = signer.endpointUrlToken(ENDPOINT, {
      claims: {
        email: 'service-999@gcp-sa-gsuiteaddons.iam.gserviceaccount.com',
      },
    });
    expect(await refusal(ENDPOINT, bearer(other))).toBe(
      'not a token of Google Chat',
    );
  });

  it('refuses an ID token whose email is not verified', async () => {
    const token = signer.endpointUrlToken(ENDPOINT, {
      claims: {email_verified: false},
    });
    expect(await refusal(ENDPOINT, bearer(token))).toBe('email not verified');
  });

  it("refuses a token of Chat's own kind (wrong issuer for this mode)", async () => {
    expect(
      await refusal(ENDPOINT, bearer(signer.projectNumberToken(ENDPOINT))),
    ).toBe('wrong issuer');
  });
});

describe('configuration', () => {
  it('refuses to build without CHAT_AUDIENCE', () => {
    const config = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'test-project',
      CHAT_SPACE: 'spaces/AAAA',
    });
    expect(() =>
      makeChatVerifier({
        chat: config.chat,
        runtime: {},
        log: makeMemoryLogger().logger,
      }),
    ).toThrow(ConfigurationError);
  });

  it('refuses a stand-in key URL on Cloud Run, and names Google’s for the mode', () => {
    for (const [audience, google] of [
      [
        NUMBER,
        'https://www.googleapis.com/service_accounts/v1/metadata/x509/chat@system.gserviceaccount.com',
      ],
      [ENDPOINT, 'https://www.googleapis.com/oauth2/v1/certs'],
    ] as const) {
      expect(() =>
        loadConfig({
          GOOGLE_CLOUD_PROJECT: 'test-project',
          K_SERVICE: 'jit-chat',
          CHAT_AUDIENCE: audience,
          CHAT_PUBLIC_KEYS_URL: 'http://127.0.0.1:1/keys',
        }),
      ).toThrow(`expected ${google} (or unset) while K_SERVICE is set`);
      expect(
        loadConfig({
          GOOGLE_CLOUD_PROJECT: 'test-project',
          K_SERVICE: 'jit-chat',
          CHAT_AUDIENCE: audience,
        }).chat?.publicKeysUrl,
      ).toBe(google);
    }
  });

  it('refuses a plain-http endpoint URL as the audience on Cloud Run', () => {
    expect(() =>
      loadConfig({
        GOOGLE_CLOUD_PROJECT: 'test-project',
        K_SERVICE: 'jit-access-chat',
        CHAT_AUDIENCE: 'http://jit.example.com/chat',
      }),
    ).toThrow(
      'CHAT_AUDIENCE="http://jit.example.com/chat": expected an https URL',
    );
  });

  it('reads no Chat settings when none is set', () => {
    expect(
      loadConfig({GOOGLE_CLOUD_PROJECT: 'test-project'}).chat,
    ).toBeUndefined();
    expect(
      loadConfig({
        GOOGLE_CLOUD_PROJECT: 'test-project',
        CHAT_DIRECT_MESSAGES: 'false',
        CHAT_ENDPOINT: 'http://127.0.0.1:1',
      }).chat,
    ).toBeUndefined();
  });

  it.each([
    ['CHAT_SPACE', 'general'],
    ['CHAT_AUDIENCE', 'chat-app'],
    ['CHAT_AUDIENCE', 'https://x.example/chat?a=1'],
    ['CHAT_DIRECT_MESSAGES', 'yes'],
  ])('names a bad %s=%s', (name, value) => {
    expect(() =>
      loadConfig({GOOGLE_CLOUD_PROJECT: 'test-project', [name]: value}),
    ).toThrow(name);
  });
});
