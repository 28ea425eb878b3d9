/**
 * Audience rules 1-6 of docs/design.md §3, through the verifier over in-memory
 * ports: the pinned audience is accepted, any other refused, failures answer
 * 503 naming what to fix, and only a success is cached.
 */
import * as functions from '@google-cloud/functions-framework';
import {getTestServer} from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import {loadConfig, type Env} from '../../shared/config';
import {makeHttpFunction} from '../../shared/http';
import {
  ConfigurationError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
} from '../../shared/errors';
import {makeIapVerifier} from '../../shared/iap';
import {resolveAudience} from '../../shared/iap/audience';
import {makeMemoryLogger} from '../../shared/log';
import type {BackendServicePort, MetadataPort} from '../../shared/ports';
import {makeIapSigner} from '../../sandbox/iap-signer';
import {startIapKeyServer, type IapKeyServer} from '../support/iap';

const NUMBER = '111122223333';
const signer = makeIapSigner();
let keyServer: IapKeyServer;

beforeAll(async () => {
  keyServer = await startIapKeyServer(signer);
});
afterAll(() => keyServer.close());

/** In-memory ports that count calls and can be told to fail. */
function ports(options: {failMetadata?: boolean; failCompute?: Error} = {}) {
  const calls = {metadata: 0, compute: [] as string[]};
  const state = {...options};
  const metadata: MetadataPort = {
    projectId: async () => {
      calls.metadata++;
      if (state.failMetadata) throw new UnavailableError('metadata down');
      return 'meta-project';
    },
    projectNumber: async () => {
      calls.metadata++;
      if (state.failMetadata) throw new UnavailableError('metadata down');
      return NUMBER;
    },
    region: async () => {
      calls.metadata++;
      if (state.failMetadata) throw new UnavailableError('metadata down');
      return 'europe-west4';
    },
  };
  const backendServices: BackendServicePort = {
    getBackendServiceId: async (project, name, region) => {
      calls.compute.push(`${project}/${region ?? 'global'}/${name}`);
      if (state.failCompute) throw state.failCompute;
      return '5550001';
    },
  };
  return {metadata, backendServices, calls, state};
}

function verifierFor(env: Env, p = ports()) {
  const memory = makeMemoryLogger();
  const verifier = makeIapVerifier({
    config: loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      IAP_PUBLIC_KEYS_URL: keyServer.url,
      ...env,
    }),
    metadata: p.metadata,
    backendServices: p.backendServices,
    log: memory.logger,
  });
  const verify = (aud: string) =>
    verifier.verify({
      'x-goog-iap-jwt-assertion': signer.sign({email: 'a@example.com', aud}),
    });
  return {verifier, verify, memory, ...p};
}

describe('audience rules', () => {
  it.each<[string, Env, string[], string[]]>([
    [
      '1: IAP_AUDIENCE as is',
      {
        IAP_AUDIENCE: '/projects/9/global/backendServices/1',
        IAP_BACKEND_SERVICE_ID: '2',
      },
      ['/projects/9/global/backendServices/1'],
      [`/projects/${NUMBER}/global/backendServices/2`],
    ],
    [
      '2: IAP_BACKEND_SERVICE_ID with PROJECT_NUMBER',
      {IAP_BACKEND_SERVICE_ID: '42', PROJECT_NUMBER: '77'},
      ['/projects/77/global/backendServices/42'],
      [
        `/projects/${NUMBER}/global/backendServices/42`,
        '/projects/77/global/backendServices/43',
      ],
    ],
    [
      '2: IAP_BACKEND_SERVICE_ID with the number from the metadata server',
      {IAP_BACKEND_SERVICE_ID: '42'},
      [`/projects/${NUMBER}/global/backendServices/42`],
      [`/projects/${NUMBER}/regions/europe-west4/backendServices/42`],
    ],
    [
      '3: IAP_BACKEND_SERVICE_NAME, global',
      {IAP_BACKEND_SERVICE_NAME: 'jit-backend'},
      [`/projects/${NUMBER}/global/backendServices/5550001`],
      [`/projects/${NUMBER}/regions/europe-west4/backendServices/5550001`],
    ],
    [
      '3: IAP_BACKEND_SERVICE_NAME, regional: both forms',
      {
        IAP_BACKEND_SERVICE_NAME: 'jit-backend',
        IAP_BACKEND_SERVICE_REGION: 'europe-west4',
      },
      [
        `/projects/${NUMBER}/global/backendServices/5550001`,
        `/projects/${NUMBER}/regions/europe-west4/backendServices/5550001`,
      ],
      [`/projects/${NUMBER}/regions/europe-west1/backendServices/5550001`],
    ],
    [
      '6: IAP_VERIFY_AUDIENCE=false overrides the others, own project only',
      {
        IAP_VERIFY_AUDIENCE: 'false',
        IAP_AUDIENCE: '/projects/9/x',
        PROJECT_NUMBER: '77',
      },
      ['/projects/77/global/backendServices/1', '/projects/77/apps/anything'],
      [
        '/projects/9/x',
        '/projects/770/apps/x',
        '/projects/77/',
        'projects/77/x',
      ],
    ],
  ])('rule %s', async (_name, env, accepted, refused) => {
    const {verify} = verifierFor(env);
    for (const aud of accepted) {
      await expect(verify(aud)).resolves.toMatchObject({
        email: 'a@example.com',
      });
    }
    for (const aud of refused) {
      await expect(verify(aud)).rejects.toThrow(UnauthenticatedError);
    }
  });
});

describe("rules 4 and 5 (their key URL must be Google's: see cloud-run.test.ts end to end)", () => {
  it.each<[string, Env, string]>([
    [
      '4: Cloud Run, from K_SERVICE and the metadata region',
      {K_SERVICE: 'jit-access'},
      `/projects/${NUMBER}/locations/europe-west4/services/jit-access`,
    ],
    [
      '5: App Engine, from the project ID',
      {GAE_SERVICE: 'default'},
      `/projects/${NUMBER}/apps/my-project`,
    ],
    [
      '2 before 4: a load balancer in front of Cloud Run',
      {K_SERVICE: 'jit-access', IAP_BACKEND_SERVICE_ID: '42'},
      `/projects/${NUMBER}/global/backendServices/42`,
    ],
  ])('rule %s', async (_name, env, audience) => {
    const pin = await resolveAudience({
      config: loadConfig({GOOGLE_CLOUD_PROJECT: 'my-project', ...env}),
      ...ports(),
    });
    expect(pin).toMatchObject({kind: 'exact', audiences: [audience]});
  });

  it('refuses to start with a foreign key URL on Cloud Run, even with a hand-made Config', () => {
    const config = loadConfig({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      IAP_PUBLIC_KEYS_URL: keyServer.url,
    });
    expect(() =>
      makeIapVerifier({
        config: {...config, runtime: {kService: 'jit-access'}},
        ...ports(),
        log: makeMemoryLogger().logger,
      }),
    ).toThrow(ConfigurationError);
  });
});

describe('audience resolution', () => {
  it('warns at construction when audience checks are relaxed', () => {
    const {memory} = verifierFor({IAP_VERIFY_AUDIENCE: 'false'});
    expect(memory.entries()).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        'logging.googleapis.com/labels': {event: 'iap.config'},
      }),
    ]);
  });

  it('touches no port before the first request', () => {
    const p = ports();
    verifierFor({IAP_BACKEND_SERVICE_NAME: 'jit-backend'}, p);
    expect(p.calls).toEqual({metadata: 0, compute: []});
  });

  it.each<[string, Env, ReturnType<typeof ports>, RegExp]>([
    [
      'nothing configured',
      {},
      ports(),
      /IAP_AUDIENCE, IAP_BACKEND_SERVICE_ID or IAP_BACKEND_SERVICE_NAME/,
    ],
    [
      'no project number',
      {IAP_BACKEND_SERVICE_ID: '42'},
      ports({failMetadata: true}),
      /project number .* metadata server.*Set PROJECT_NUMBER/,
    ],
    [
      'compute.backendServices.get denied',
      {IAP_BACKEND_SERVICE_NAME: 'jit-backend', PROJECT_NUMBER: '77'},
      ports({
        failCompute: new PermissionDeniedError(
          'The service account lacks compute.backendServices.get on backend service jit-backend',
        ),
      }),
      /jit-backend.*lacks compute\.backendServices\.get/,
    ],
    [
      'compute.regionBackendServices.get denied',
      {
        IAP_BACKEND_SERVICE_NAME: 'jit-backend',
        IAP_BACKEND_SERVICE_REGION: 'europe-west4',
        PROJECT_NUMBER: '77',
      },
      ports({failCompute: new PermissionDeniedError('denied')}),
      /jit-backend of IAP_BACKEND_SERVICE_NAME in region europe-west4.*Grant the service account compute\.regionBackendServices\.get/,
    ],
  ])('answers 503 naming what to fix: %s', async (_name, env, p, message) => {
    const {verify} = verifierFor(env, p);
    const error = await verify('/projects/77/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(message);
  });

  it('caches only a success', async () => {
    const p = ports({failCompute: new UnavailableError('compute down')});
    const {verify} = verifierFor(
      {IAP_BACKEND_SERVICE_NAME: 'jit-backend', PROJECT_NUMBER: '77'},
      p,
    );
    const aud = '/projects/77/global/backendServices/5550001';
    await expect(verify(aud)).rejects.toThrow(UnavailableError);
    p.state.failCompute = undefined;
    await expect(verify(aud)).resolves.toMatchObject({email: 'a@example.com'});
    await expect(verify(aud)).resolves.toMatchObject({email: 'a@example.com'});
    expect(p.calls.compute).toEqual([
      'my-project/global/jit-backend',
      'my-project/global/jit-backend',
    ]);
  });

  it('refuses a bad assertion with 401 even while the audience cannot be resolved', async () => {
    const {verifier} = verifierFor({});
    await expect(
      verifier.verify({'x-goog-iap-jwt-assertion': 'garbage'}),
    ).rejects.toThrow(UnauthenticatedError);
  });

  it("answers 503 in Google's error shape over HTTP, naming the variables to set", async () => {
    const {verifier, memory} = verifierFor({});
    functions.http(
      'iapUnresolvable',
      makeHttpFunction({
        routes: [],
        verifier,
        log: memory.logger,
        rateLimitPerMinute: 0,
      }),
    );
    const res = await request(getTestServer('iapUnresolvable'))
      .get('/api/policy')
      .set(
        'x-goog-iap-jwt-assertion',
        signer.sign({email: 'a@example.com', aud: '/projects/1/x'}),
      );
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        code: 503,
        status: 'UNAVAILABLE',
        message: expect.stringMatching(
          /not configured: set IAP_AUDIENCE, IAP_BACKEND_SERVICE_ID or IAP_BACKEND_SERVICE_NAME/,
        ),
      },
    });
  });
});
