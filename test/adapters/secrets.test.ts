import {NotFoundError} from '../../shared/errors';
import {GooglePermissionError} from '../../shared/google/edge';
import {makeSecretClient} from '../../shared/google/secrets';
import type {FakeGoogleCloud} from '../../sandbox/fake-gcp';
import type {Config} from '../../shared/config';
import type {Logger} from '../../shared/log';
import {FAST, startFake} from './support';
import {testWorld} from './world';

let fake: FakeGoogleCloud;
let config: Config;
let log: Logger;

beforeAll(async () => {
  ({
    fake,
    config,
    memory: {logger: log},
  } = await startFake(testWorld()));
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.resetLog();
  fake.clearFaults();
  fake.world = testWorld();
});

const ACCESS = 'secretmanager.projects.secrets.versions.access';

describe('Secret Manager', () => {
  it('reads a secret version as UTF-8 text', async () => {
    const secrets = makeSecretClient(config, log, FAST);
    expect(
      await secrets.accessSecretVersion(
        'projects/alpha-project/secrets/smtp/versions/latest',
      ),
    ).toBe('s3cret-påss');
    expect(fake.calls(ACCESS)[0]?.path).toBe(
      '/v1/projects/alpha-project/secrets/smtp/versions/latest:access',
    );
  });

  it('resolves latest to the highest version, by project number too', async () => {
    fake.world.secrets = {
      'projects/alpha-project/secrets/pw/versions/1': 'one',
      'projects/alpha-project/secrets/pw/versions/2': 'two',
    };
    const secrets = makeSecretClient(config, log, FAST);
    expect(
      await secrets.accessSecretVersion(
        'projects/3001/secrets/pw/versions/latest',
      ),
    ).toBe('two');
  });

  it('names the secret when it does not exist', async () => {
    const secrets = makeSecretClient(config, log, FAST);
    const err = await secrets
      .accessSecretVersion('projects/alpha-project/secrets/nope/versions/1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain(
      'projects/alpha-project/secrets/nope/versions/1',
    );
  });

  it('names secretmanager.versions.access when the service account lacks it', async () => {
    fake.world.deniedPermissions = ['secretmanager.versions.access'];
    const secrets = makeSecretClient(config, log, FAST);
    const err = await secrets
      .accessSecretVersion(
        'projects/alpha-project/secrets/smtp/versions/latest',
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GooglePermissionError);
    expect((err as Error).message).toContain('secretmanager.versions.access');
  });

  it('retries a 429', async () => {
    fake.failNext(ACCESS, 429);
    const secrets = makeSecretClient(config, log, FAST);
    await secrets.accessSecretVersion(
      'projects/alpha-project/secrets/smtp/versions/latest',
    );
    expect(fake.calls(ACCESS).map(c => c.status)).toEqual([429, 200]);
  });
});
