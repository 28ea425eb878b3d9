/**
 * A Google API that closes the connection without answering, seen through
 * the real client libraries: the edge retries it, and when every attempt is
 * dropped the caller gets UnavailableError (503), never a bare error (500).
 */
import {UnavailableError} from '../../shared/errors';
import {makeDirectoryClient} from '../../shared/google/identity';
import {makeProjectIamClient} from '../../shared/google/resource-manager';
import {FAST, startFake} from './fake';
import {testWorld} from './world';
import type {FakeGoogleCloud} from '../../sandbox/fake-gcp';
import type {Config} from '../../shared/config';
import {makeMemoryLogger} from '../../shared/log';

let fake: FakeGoogleCloud;
let config: Config;

beforeAll(async () => {
  ({fake, config} = await startFake(testWorld()));
});
afterAll(() => fake.stop());
afterEach(() => fake.setRandomFaults(undefined));

const log = () => makeMemoryLogger().logger;

describe('dropped connections', () => {
  it('retries a dropped getIamPolicy and answers its policy', async () => {
    const iam = makeProjectIamClient(config, log(), FAST);
    // The first call is dropped before the method runs, the next one is not.
    fake.onNext({
      name: 'cloudresourcemanager.projects.getIamPolicy',
      when: 'before',
      run: () => 'drop',
    });
    const policy = await iam.getIamPolicy('alpha-project');
    expect(policy.bindings?.length).toBeGreaterThan(0);
  });

  it.each([
    [
      'Resource Manager',
      () =>
        makeProjectIamClient(config, log(), FAST).getIamPolicy('alpha-project'),
    ],
    [
      'Cloud Identity',
      () =>
        makeDirectoryClient(config, log(), FAST).groupsOf('alice@example.com'),
    ],
  ])(
    'answers UnavailableError when %s drops every attempt',
    async (_api, call) => {
      fake.setRandomFaults({rate: 1, seed: 1, kinds: ['drop']});
      await expect(call()).rejects.toBeInstanceOf(UnavailableError);
    },
  );
});
