/**
 * IAP's public keys: fetched once and cached per `Cache-Control: max-age`,
 * refetched on an unknown key id at most once a minute (the first fetch not
 * counted), stale keys kept when the key URL fails.
 */
import {loadConfig} from '../../shared/config';
import {UnauthenticatedError, UnavailableError} from '../../shared/errors';
import {makeIapVerifier} from '../../shared/iap';
import {makeKeyStore, maxAgeSeconds} from '../../shared/iap/keys';
import {makeMemoryLogger} from '../../shared/log';
import * as http from 'http';
import type {AddressInfo} from 'net';
import {makeIapSigner, type IapSigner} from '../../sandbox/iap-signer';
import {
  startIapKeyServer,
  TEST_AUDIENCE,
  TEST_PROJECT_NUMBER,
  UNUSED_BACKEND_SERVICES,
  UNUSED_METADATA,
  type IapKeyServer,
} from '../support/iap';

const servers: IapKeyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

/** A verifier over a fresh key server, with a clock the test moves. */
async function setup(options: {maxAgeSeconds?: number} = {}) {
  const signer = makeIapSigner();
  const keyServer = await startIapKeyServer(signer, options);
  servers.push(keyServer);
  const clock = {now: Date.now()};
  const verifier = makeIapVerifier({
    config: loadConfig({
      GOOGLE_CLOUD_PROJECT: 'test-project',
      PROJECT_NUMBER: TEST_PROJECT_NUMBER,
      IAP_AUDIENCE: TEST_AUDIENCE,
      IAP_PUBLIC_KEYS_URL: keyServer.url,
    }),
    metadata: UNUSED_METADATA,
    backendServices: UNUSED_BACKEND_SERVICES,
    log: makeMemoryLogger().logger,
    now: () => clock.now,
  });
  // Signed at the test's clock, so that our own lifetime checks agree.
  const assertion = (s: IapSigner = signer, kid?: string) =>
    s.sign(
      {email: 'alice@example.com', aud: TEST_AUDIENCE},
      {now: clock.now, kid},
    );
  const verify = (token: string) =>
    verifier.verify({'x-goog-iap-jwt-assertion': token});
  return {signer, keyServer, clock, verify, assertion};
}

describe('the IAP key cache', () => {
  it('fetches the keys once for many requests, concurrent or not', async () => {
    const {keyServer, verify, assertion} = await setup();
    await Promise.all(Array.from({length: 10}, () => verify(assertion())));
    for (let i = 0; i < 10; i++) await verify(assertion());
    expect(keyServer.fetches()).toBe(1);
  });

  it('fetches again once max-age has passed', async () => {
    const {keyServer, clock, verify, assertion} = await setup({
      maxAgeSeconds: 60,
    });
    await verify(assertion());
    clock.now += 59_000;
    await verify(assertion());
    expect(keyServer.fetches()).toBe(1);
    clock.now += 2_000;
    await verify(assertion());
    expect(keyServer.fetches()).toBe(2);
  });

  it('refetches on an unknown kid at most once a minute, the first fetch not counted', async () => {
    const {keyServer, clock, verify, assertion} = await setup();
    const rotated = makeIapSigner();
    await verify(assertion());
    expect(keyServer.fetches()).toBe(1);

    // IAP rotates its keys: the new kid is found by one refetch.
    keyServer.serve([makeIapSigner(), rotated]);
    await expect(verify(assertion(rotated))).resolves.toMatchObject({
      email: 'alice@example.com',
    });
    expect(keyServer.fetches()).toBe(2);

    // Made-up kids within the minute cost nothing.
    for (let i = 0; i < 5; i++) {
      await expect(verify(assertion(rotated, `made-up-${i}`))).rejects.toThrow(
        UnauthenticatedError,
      );
    }
    expect(keyServer.fetches()).toBe(2);

    clock.now += 60_000;
    await expect(verify(assertion(rotated, 'made-up-again'))).rejects.toThrow(
      UnauthenticatedError,
    );
    expect(keyServer.fetches()).toBe(3);
  });

  it('does not refetch for an unknown kid right after the first fetch', async () => {
    const {keyServer, verify, assertion} = await setup();
    await expect(verify(assertion(undefined, 'unknown'))).rejects.toThrow(
      UnauthenticatedError,
    );
    expect(keyServer.fetches()).toBe(1);
    // The first fetch does not count: the next unknown kid may refetch once.
    await expect(verify(assertion(undefined, 'unknown'))).rejects.toThrow(
      UnauthenticatedError,
    );
    expect(keyServer.fetches()).toBe(2);
  });

  it('answers 503 when the keys were never fetched, and keeps stale keys when a refetch fails', async () => {
    const {keyServer, clock, verify, assertion} = await setup({
      maxAgeSeconds: 10,
    });
    await verify(assertion());
    await keyServer.close();
    clock.now += 11_000;
    // Expired but still IAP's keys: better than refusing every caller.
    await expect(verify(assertion())).resolves.toMatchObject({
      email: 'alice@example.com',
    });

    const fresh = await setup();
    await fresh.keyServer.close();
    await expect(fresh.verify(fresh.assertion())).rejects.toThrow(
      UnavailableError,
    );
  }, 20_000);
});

describe('a key URL that never answers', () => {
  it('gives up after the timeout and its retries, with a 503 error', async () => {
    let requests = 0;
    const server = http.createServer(() => {
      requests += 1; // never answered
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    try {
      const {port} = server.address() as AddressInfo;
      const keys = makeKeyStore({
        url: `http://127.0.0.1:${port}/iap/verify/public_key`,
        log: makeMemoryLogger().logger,
        now: Date.now,
        timeoutMs: 50,
      });
      await expect(keys.keyFor('any')).rejects.toThrow(UnavailableError);
      // One attempt and the library's two retries for an unanswered request.
      expect(requests).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    }
  }, 20_000);
});

describe('maxAgeSeconds', () => {
  it.each<[string | undefined, number | undefined]>([
    ['public, max-age=22133, must-revalidate, no-transform', 22133],
    ['max-age=0', 0],
    ['no-store', 0],
    ['private, no-cache', 0],
    ['public', undefined],
    [undefined, undefined],
    ['max-age=999999999', 86400],
  ])('reads %p as %p', (header, expected) => {
    expect(maxAgeSeconds(header)).toBe(expected);
  });
});
