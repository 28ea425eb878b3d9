import {NotFoundError} from '../../shared/errors';
import {GooglePermissionError} from '../../shared/errors';
import {makeSecretClient} from '../../shared/google/secrets';
import {FAST, useFake} from './fake';

const t = useFake();

const ACCESS = 'secretmanager.projects.secrets.versions.access';

describe('Secret Manager', () => {
  it('reads a secret version as UTF-8 text', async () => {
    const secrets = makeSecretClient(t.config, t.log, FAST);
    expect(
      await secrets.accessSecretVersion(
        'projects/alpha-project/secrets/smtp/versions/latest',
      ),
    ).toBe('s3cret-påss');
    expect(t.fake.calls(ACCESS)[0]?.path).toBe(
      '/v1/projects/alpha-project/secrets/smtp/versions/latest:access',
    );
  });

  it('resolves latest to the highest version, by project number too', async () => {
    t.fake.world.secrets = {
      'projects/alpha-project/secrets/pw/versions/1': 'one',
      'projects/alpha-project/secrets/pw/versions/2': 'two',
    };
    const secrets = makeSecretClient(t.config, t.log, FAST);
    expect(
      await secrets.accessSecretVersion(
        'projects/3001/secrets/pw/versions/latest',
      ),
    ).toBe('two');
  });

  it('names the secret when it does not exist', async () => {
    const secrets = makeSecretClient(t.config, t.log, FAST);
    const err = await secrets
      .accessSecretVersion('projects/alpha-project/secrets/nope/versions/1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain(
      'projects/alpha-project/secrets/nope/versions/1',
    );
  });

  it('names secretmanager.versions.access when the service account lacks it', async () => {
    t.fake.world.deniedPermissions = ['secretmanager.versions.access'];
    const secrets = makeSecretClient(t.config, t.log, FAST);
    const err = await secrets
      .accessSecretVersion(
        'projects/alpha-project/secrets/smtp/versions/latest',
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GooglePermissionError);
    expect((err as Error).message).toContain('secretmanager.versions.access');
  });

  it('retries a 429', async () => {
    t.fake.failNext(ACCESS, 429);
    const secrets = makeSecretClient(t.config, t.log, FAST);
    await secrets.accessSecretVersion(
      'projects/alpha-project/secrets/smtp/versions/latest',
    );
    expect(t.fake.calls(ACCESS).map(c => c.status)).toEqual([429, 200]);
  });
});
