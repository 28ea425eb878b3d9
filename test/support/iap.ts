/**
 * IAP for tests: a loopback server for the public keys (it counts fetches),
 * and a real verifier (shared/iap/) pinned to a test audience and reading
 * its keys from that server, so function tests carry real ES256 assertions.
 */
import * as http from 'http';
import type {AddressInfo} from 'net';
import {loadConfig, type Config, type Env} from '../../shared/config';
import type {IdentityVerifier} from '../../shared/ports';
import {makeIapVerifier} from '../../shared/iap';
import {makeLogger, type Logger} from '../../shared/log';
import type {BackendServicePort, MetadataPort} from '../../shared/ports';
import {
  makeIapSigner,
  type IapClaims,
  type IapSigner,
  type SignOptions,
} from '../../sandbox/iap-signer';

export const TEST_PROJECT_ID = 'test-project';
export const TEST_PROJECT_NUMBER = '123456789012';
export const TEST_AUDIENCE = `/projects/${TEST_PROJECT_NUMBER}/global/backendServices/4242`;

/** A signer whose keys a key server serves (IAP's, or Google Chat's). */
export type KeySource = Pick<IapSigner, 'publicKeys'>;

export interface IapKeyServer {
  /** The URL to use as IAP_PUBLIC_KEYS_URL. */
  url: string;
  /** How many times the keys were fetched. */
  fetches(): number;
  /** Serves these signers' keys from now on (key rotation). */
  serve(signers: KeySource[]): void;
  close(): Promise<void>;
}

/** Serves `{kid: PEM}` on 127.0.0.1 with `Cache-Control: public, max-age=…`. */
export async function startIapKeyServer(
  signer: KeySource | KeySource[],
  options: {maxAgeSeconds?: number} = {},
): Promise<IapKeyServer> {
  let signers = Array.isArray(signer) ? signer : [signer];
  let count = 0;
  const server = http.createServer((req, res) => {
    count += 1;
    const body = JSON.stringify(
      Object.assign({}, ...signers.map(s => s.publicKeys())),
    );
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=UTF-8',
      'Cache-Control': `public, max-age=${options.maxAgeSeconds ?? 3600}`,
    });
    res.end(body);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/iap/verify/public_key`,
    fetches: () => count,
    serve: next => {
      signers = next;
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Ports that fail loudly: with IAP_AUDIENCE set, nothing may ask them. */
export const UNUSED_METADATA: MetadataPort = {
  projectId: () => Promise.reject(new Error('metadata not expected')),
  projectNumber: () => Promise.reject(new Error('metadata not expected')),
  region: () => Promise.reject(new Error('metadata not expected')),
};
export const UNUSED_BACKEND_SERVICES: BackendServicePort = {
  getBackendServiceId: () => Promise.reject(new Error('compute not expected')),
};

export interface TestIap {
  signer: IapSigner;
  keyServer: IapKeyServer;
  /** A configuration with IAP_AUDIENCE and IAP_PUBLIC_KEYS_URL set for this IAP. */
  config: Config;
  /** The environment the configuration was loaded from (for child processes). */
  env: Env;
  /** A real verifier (shared/iap/) over this IAP. */
  verifier: IdentityVerifier;
  /** A valid assertion for this user, for `x-goog-iap-jwt-assertion`. */
  assertionFor(
    email: string,
    claims?: Partial<IapClaims>,
    options?: SignOptions,
  ): string;
  close(): Promise<void>;
}

/**
 * Starts a key server and builds a real verifier over it. `env` adds to or
 * overrides the test environment (e.g. ACTIVATION_TIMEOUT).
 */
export async function makeTestIap(
  options: {env?: Env; log?: Logger} = {},
): Promise<TestIap> {
  const signer = makeIapSigner();
  const keyServer = await startIapKeyServer(signer);
  const env: Env = {
    GOOGLE_CLOUD_PROJECT: TEST_PROJECT_ID,
    PROJECT_NUMBER: TEST_PROJECT_NUMBER,
    IAP_AUDIENCE: TEST_AUDIENCE,
    IAP_PUBLIC_KEYS_URL: keyServer.url,
    ...options.env,
  };
  const config = loadConfig(env);
  const verifier = makeIapVerifier({
    config,
    metadata: UNUSED_METADATA,
    backendServices: UNUSED_BACKEND_SERVICES,
    log: options.log ?? makeLogger(() => {}),
  });
  return {
    signer,
    keyServer,
    config,
    env,
    verifier,
    assertionFor: (email, claims = {}, signOptions) =>
      signer.sign({email, aud: TEST_AUDIENCE, ...claims}, signOptions),
    close: () => keyServer.close(),
  };
}
