/**
 * Plays Google Chat's signing side: an RSA key pair, its self-signed
 * certificate served as `{kid: PEM}` (the shape of Google's certificate URLs),
 * and bearer tokens in both of Chat's forms:
 *
 * - `projectNumberToken`: the JWT Chat signs itself, issuer
 *   `chat@system.gserviceaccount.com`, audience the project number;
 * - `endpointUrlToken`: a Google OIDC ID token for Chat's service account,
 *   issuer `https://accounts.google.com`, audience the endpoint URL.
 *
 * Tests, the bench and the sandbox use it; it imports nothing from shared/,
 * so it cannot agree with a bug in the verifier.
 */
import {execFileSync} from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {base64url} from './iap-signer';

export const CHAT_SERVICE_ACCOUNT = 'chat@system.gserviceaccount.com';

/** Claims to add or replace, and header overrides, for forged tokens. */
export interface ChatTokenOptions {
  claims?: Record<string, unknown>;
  /** The header's `kid`; defaults to the signer's. */
  kid?: string;
  header?: Record<string, unknown>;
  /** Clock in milliseconds; defaults to Date.now. */
  now?: number;
}

export interface ChatSigner {
  readonly kid: string;
  projectNumberToken(projectNumber: string, options?: ChatTokenOptions): string;
  endpointUrlToken(url: string, options?: ChatTokenOptions): string;
  /** `{kid: PEM certificate}`, as Google's certificate URLs serve them. */
  publicKeys(): Record<string, string>;
}

/**
 * A self-signed certificate of the key, as Google serves its keys; the
 * public key alone where openssl is missing (the verifier takes both).
 */
function certificateOf(
  privateKey: crypto.KeyObject,
  publicPem: string,
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-signer-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    fs.writeFileSync(
      keyFile,
      privateKey.export({type: 'pkcs8', format: 'pem'}) as string,
      {mode: 0o600},
    );
    return execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-key',
        keyFile,
        '-subj',
        `/CN=${CHAT_SERVICE_ACCOUNT}`,
        '-days',
        '1',
      ],
      {stdio: ['ignore', 'pipe', 'ignore']},
    ).toString('utf8');
  } catch {
    return publicPem;
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

export function makeChatSigner(): ChatSigner {
  const {privateKey, publicKey} = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const kid = crypto.randomBytes(20).toString('hex');
  const pem = certificateOf(
    privateKey,
    publicKey.export({type: 'spki', format: 'pem'}) as string,
  );

  function sign(base: Record<string, unknown>, options: ChatTokenOptions = {}) {
    const iat = Math.floor((options.now ?? Date.now()) / 1000);
    const header = {
      alg: 'RS256',
      typ: 'JWT',
      kid: options.kid ?? kid,
      ...options.header,
    };
    const payload = {...base, iat, exp: iat + 3600, ...options.claims};
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = crypto.sign('RSA-SHA256', Buffer.from(input), privateKey);
    return `${input}.${base64url(signature)}`;
  }

  return {
    kid,
    publicKeys: () => ({[kid]: pem}),
    projectNumberToken: (projectNumber, options) =>
      sign({iss: CHAT_SERVICE_ACCOUNT, aud: projectNumber}, options),
    endpointUrlToken: (url, options) =>
      sign(
        {
          iss: 'https://accounts.google.com',
          aud: url,
          azp: '113131313131313131313',
          sub: '113131313131313131313',
          email: CHAT_SERVICE_ACCOUNT,
          email_verified: true,
        },
        options,
      ),
  };
}
