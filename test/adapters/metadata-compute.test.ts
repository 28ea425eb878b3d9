import {NotFoundError, UnavailableError} from '../../shared/errors';
import {makeBackendServiceClient} from '../../shared/google/compute';
import {GooglePermissionError} from '../../shared/errors';
import {makeMetadataClient} from '../../shared/google/metadata';
import {nodeHttpFetch} from '../../shared/node-http-fetch';
import * as path from 'path';
import {FAST, useFake} from './fake';

const t = useFake();

describe('metadata server', () => {
  it('reads the project ID, number and region through GCE_METADATA_HOST', async () => {
    const metadata = makeMetadataClient(t.config, t.log, FAST);
    expect(await metadata.projectId()).toBe('alpha-project');
    expect(await metadata.projectNumber()).toBe('3001');
    expect(await metadata.region()).toBe('europe-west1');
    const calls = t.fake.calls('metadata');
    expect(calls.map(c => c.path)).toEqual([
      '/computeMetadata/v1/project/project-id',
      '/computeMetadata/v1/project/numeric-project-id',
      '/computeMetadata/v1/instance/region',
    ]);
    expect(calls.every(c => c.headers['metadata-flavor'] === 'Google')).toBe(
      true,
    );
  });

  it("sends through nodeHttpFetch, set on gcp-metadata's own gaxios", async () => {
    const metadata = makeMetadataClient(t.config, t.log, FAST);
    await metadata.region();
    // gcp-metadata takes no transport option; its gaxios's default does it.
    const gaxios = require(
      require.resolve('gaxios', {
        paths: [path.dirname(require.resolve('gcp-metadata'))],
      }),
    ) as {instance: {defaults: {fetchImplementation?: unknown}}};
    expect(gaxios.instance.defaults.fetchImplementation).toBe(nodeHttpFetch);
    // node-fetch would have asked for compression; this transport does not.
    const [call] = t.fake.calls('metadata');
    expect(call!.headers['accept-encoding']).toBeUndefined();
  });

  it('caches an answer once it has succeeded', async () => {
    const metadata = makeMetadataClient(t.config, t.log, FAST);
    await metadata.projectNumber();
    await metadata.projectNumber();
    expect(t.fake.calls('metadata')).toHaveLength(1);
  });

  it('refuses a request without Metadata-Flavor and sends the header back', async () => {
    const res = await fetch(
      `${t.fake.url}/computeMetadata/v1/project/project-id`,
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('metadata-flavor')).toBe('Google');
    const ok = await fetch(`${t.fake.url}/computeMetadata/v1/instance/region`, {
      headers: {'Metadata-Flavor': 'Google'},
    });
    expect(await ok.text()).toBe('projects/3001/regions/europe-west1');
    expect(ok.headers.get('metadata-flavor')).toBe('Google');
  });

  it('retries a 503 and is not cached after a failure', async () => {
    t.fake.failNext('metadata', 503, 1);
    const metadata = makeMetadataClient(t.config, t.log, FAST);
    expect(await metadata.projectId()).toBe('alpha-project');
    expect(t.fake.calls('metadata').map(c => c.status)).toEqual([503, 200]);
  });

  it("answers UnavailableError after gcp-metadata's own 3 retries", async () => {
    t.fake.failNext('metadata', 500, 100);
    const metadata = makeMetadataClient(t.config, t.log, FAST);
    await expect(metadata.projectNumber()).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(t.fake.calls('metadata')).toHaveLength(4);
    t.fake.clearFaults();
    expect(await metadata.projectNumber()).toBe('3001');
  });
});

describe('Compute backend services', () => {
  it.each([
    [
      'a global backend service',
      undefined,
      '7001',
      'compute.backendServices.get',
    ],
    [
      'a regional backend service',
      'europe-west1',
      '7002',
      'compute.regionBackendServices.get',
    ],
  ])('reads the ID of %s', async (_what, region, id, method) => {
    const compute = makeBackendServiceClient(t.config, t.log, FAST);
    expect(
      await compute.getBackendServiceId('alpha-project', 'jit-web', region),
    ).toBe(id);
    expect(t.fake.calls(method)).toHaveLength(1);
    expect(t.fake.calls(method)[0]?.headers.authorization).toBeUndefined();
  });

  it('names the backend service when it does not exist', async () => {
    const compute = makeBackendServiceClient(t.config, t.log, FAST);
    const err = await compute
      .getBackendServiceId('alpha-project', 'missing')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain(
      'projects/alpha-project/global/backendServices/missing',
    );
  });

  it('names compute.backendServices.get when the service account lacks it', async () => {
    t.fake.world.deniedPermissions = ['compute.backendServices.get'];
    const compute = makeBackendServiceClient(t.config, t.log, FAST);
    const err = await compute
      .getBackendServiceId('alpha-project', 'jit-web', 'europe-west1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GooglePermissionError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as GooglePermissionError).permission).toBe(
      'compute.backendServices.get',
    );
    expect((err as Error).message).toContain('compute.backendServices.get');
    expect(t.fake.calls('compute.regionBackendServices.get')).toHaveLength(1);
  });

  it("answers Compute errors in Compute's format", async () => {
    const res = await fetch(
      `${t.fake.url}/compute/v1/projects/alpha-project/global/backendServices/nope`,
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: 404,
        message:
          "The resource 'projects/alpha-project/global/backendServices/nope' was not found",
        errors: [
          {
            message:
              "The resource 'projects/alpha-project/global/backendServices/nope' was not found",
            domain: 'global',
            reason: 'notFound',
          },
        ],
      },
    });
  });
});
