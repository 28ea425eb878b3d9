/**
 * Audience rules against the fake Google Cloud: the real metadata and Compute
 * adapters over loopback, the real verifier, real assertions.
 */
import {loadConfig, type Env} from '../../shared/config';
import {UnauthenticatedError, UnavailableError} from '../../shared/errors';
import {makeBackendServiceClient} from '../../shared/google/compute';
import {makeMetadataClient} from '../../shared/google/metadata';
import {makeIapVerifier} from '../../shared/iap';
import {resolveAudience} from '../../shared/iap/audience';
import {makeLogger} from '../../shared/log';
import {
  fakeEndpoints,
  startFakeGoogleCloud,
  type FakeGoogleCloud,
} from '../../sandbox/fake-gcp';
import {makeIapSigner} from '../../sandbox/iap-signer';
import {startIapKeyServer, type IapKeyServer} from '../support/iap';

const NUMBER = '246813579024';
const signer = makeIapSigner();
let keyServer: IapKeyServer;
let fake: FakeGoogleCloud;
const quiet = makeLogger(() => {});
const fast = {retry: {initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 2}};

beforeAll(async () => {
  keyServer = await startIapKeyServer(signer);
  fake = await startFakeGoogleCloud({
    projects: [
      {projectId: 'jit-host', projectNumber: NUMBER, parent: 'organizations/1'},
    ],
    metadata: {
      projectId: 'jit-host',
      projectNumber: NUMBER,
      region: 'us-central1',
    },
    backendServices: [
      {project: 'jit-host', name: 'jit-global', id: '8000000000000000001'},
      {
        project: 'jit-host',
        name: 'jit-regional',
        id: '8000000000000000002',
        region: 'us-central1',
      },
    ],
  });
});
afterAll(async () => {
  await Promise.all([keyServer.close(), fake.stop()]);
});
beforeEach(() => {
  fake.world.deniedPermissions = [];
});

function build(env: Env) {
  const config = loadConfig({
    ...fakeEndpoints(fake),
    IAP_PUBLIC_KEYS_URL: keyServer.url,
    ...env,
  });
  const ports = {
    metadata: makeMetadataClient(config, quiet, fast),
    backendServices: makeBackendServiceClient(config, quiet, fast),
  };
  const verifier = makeIapVerifier({config, ...ports, log: quiet});
  const verify = (aud: string) =>
    verifier.verify({
      'x-goog-iap-jwt-assertion': signer.sign({email: 'a@example.com', aud}),
    });
  return {config, ports, verify};
}

describe('audience rules against the fake Google Cloud', () => {
  it.each<[string, Env, string[], string]>([
    [
      '2: the project number from the metadata server',
      {GOOGLE_CLOUD_PROJECT: 'jit-host', IAP_BACKEND_SERVICE_ID: '42'},
      [`/projects/${NUMBER}/global/backendServices/42`],
      `/projects/${NUMBER}/global/backendServices/43`,
    ],
    [
      '3: a global backend service looked up by name',
      {IAP_BACKEND_SERVICE_NAME: 'jit-global'},
      [`/projects/${NUMBER}/global/backendServices/8000000000000000001`],
      `/projects/${NUMBER}/global/backendServices/8000000000000000002`,
    ],
    [
      '3: a regional backend service, under both forms',
      {
        IAP_BACKEND_SERVICE_NAME: 'jit-regional',
        IAP_BACKEND_SERVICE_REGION: 'us-central1',
      },
      [
        `/projects/${NUMBER}/global/backendServices/8000000000000000002`,
        `/projects/${NUMBER}/regions/us-central1/backendServices/8000000000000000002`,
      ],
      `/projects/${NUMBER}/regions/us-east1/backendServices/8000000000000000002`,
    ],
    [
      '6: any audience of our own project',
      {GOOGLE_CLOUD_PROJECT: 'jit-host', IAP_VERIFY_AUDIENCE: 'false'},
      [
        `/projects/${NUMBER}/apps/jit-host`,
        `/projects/${NUMBER}/global/backendServices/1`,
      ],
      '/projects/1/global/backendServices/1',
    ],
  ])('rule %s', async (_name, env, accepted, refused) => {
    const {verify} = build({RESOURCE_SCOPE: 'organizations/1', ...env});
    for (const aud of accepted) {
      await expect(verify(aud)).resolves.toMatchObject({
        email: 'a@example.com',
      });
    }
    await expect(verify(refused)).rejects.toThrow(UnauthenticatedError);
  });

  it.each<[string, Env, string]>([
    [
      '4: Cloud Run',
      {K_SERVICE: 'jit-access'},
      `/projects/${NUMBER}/locations/us-central1/services/jit-access`,
    ],
    [
      '5: App Engine',
      {GAE_SERVICE: 'default'},
      `/projects/${NUMBER}/apps/jit-host`,
    ],
  ])(
    'rule %s, from the metadata server alone',
    async (_name, env, audience) => {
      const config = loadConfig({
        ...fakeEndpoints(fake),
        RESOURCE_SCOPE: 'organizations/1',
        ...env,
      });
      const pin = await resolveAudience({
        config,
        metadata: makeMetadataClient(config, quiet, fast),
        backendServices: makeBackendServiceClient(config, quiet, fast),
      });
      expect(pin).toMatchObject({audiences: [audience]});
    },
  );

  it('answers 503 naming compute.backendServices.get until it is granted', async () => {
    fake.world.deniedPermissions = ['compute.backendServices.get'];
    const {verify} = build({
      RESOURCE_SCOPE: 'organizations/1',
      IAP_BACKEND_SERVICE_NAME: 'jit-global',
    });
    const aud = `/projects/${NUMBER}/global/backendServices/8000000000000000001`;
    const error = await verify(aud).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(
      /jit-global.*compute\.backendServices\.get/,
    );

    // Granted later: the next request resolves without a restart.
    fake.world.deniedPermissions = [];
    await expect(verify(aud)).resolves.toMatchObject({email: 'a@example.com'});
  });

  it('answers 503 naming the backend service when it does not exist', async () => {
    const {verify} = build({
      RESOURCE_SCOPE: 'organizations/1',
      IAP_BACKEND_SERVICE_NAME: 'no-such-backend',
    });
    const error = await verify('/projects/1/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(
      /no-such-backend.*Check IAP_BACKEND_SERVICE_NAME/,
    );
  });
});
