/**
 * Every adapter, aimed at the fake, talks to loopback only and sends no
 * credentials: every TCP connection the process opens is recorded.
 */
import * as net from 'net';
import {makeAssetInventoryClient} from '../../shared/google/asset';
import {makeBackendServiceClient} from '../../shared/google/compute';
import {makeDirectoryClient} from '../../shared/google/identity';
import {makeMetadataClient} from '../../shared/google/metadata';
import {
  makeProjectIamClient,
  makeProjectSearchClient,
} from '../../shared/google/resource-manager';
import {makeSecretClient} from '../../shared/google/secrets';
import {FAST, startFake} from './fake';
import {ORG, testWorld} from './world';

const destinations: string[] = [];
const originalConnect = net.Socket.prototype.connect;

beforeAll(() => {
  net.Socket.prototype.connect = function (
    this: net.Socket,
    ...args: unknown[]
  ) {
    const first = args[0] as {host?: string; path?: string} | number;
    destinations.push(
      typeof first === 'object'
        ? (first.host ?? first.path ?? 'localhost')
        : String(args[1] ?? 'localhost'),
    );
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(
      this,
      args,
    );
  } as typeof net.Socket.prototype.connect;
});
afterAll(() => {
  net.Socket.prototype.connect = originalConnect;
});

it('calls every method over loopback only, without credentials', async () => {
  const {fake, config, memory} = await startFake(testWorld());
  const log = memory.logger;
  try {
    const iam = makeProjectIamClient(config, log, FAST);
    const policy = await iam.getIamPolicy('alpha-project');
    await iam.setIamPolicy('alpha-project', policy, {requestReason: 'r'});
    await makeProjectSearchClient(config, log, FAST).searchProjects('');
    const assets = makeAssetInventoryClient(config, log, FAST);
    await assets.batchGetEffectiveIamPolicies(ORG, [
      '//cloudresourcemanager.googleapis.com/projects/alpha-project',
    ]);
    await assets.searchAllIamPolicies(ORG, 'policy:alice@example.com');
    await assets.searchAllResources(ORG, {});
    await assets.analyzeIamPolicy({
      scope: ORG,
      identity: 'user:alice@example.com',
    });
    const directory = makeDirectoryClient(config, log, FAST);
    await directory.groupsOf('alice@example.com');
    await directory.usersIn('admins@example.com');
    await makeBackendServiceClient(config, log, FAST).getBackendServiceId(
      'alpha-project',
      'jit-web',
    );
    await makeSecretClient(config, log, FAST).accessSecretVersion(
      'projects/alpha-project/secrets/smtp/versions/latest',
    );
    await makeMetadataClient(config, log, FAST).projectNumber();
  } finally {
    await fake.stop();
  }
  expect(destinations.length).toBeGreaterThan(0);
  expect(
    destinations.filter(d => d !== '127.0.0.1' && d !== 'localhost'),
  ).toEqual([]);
  expect(fake.calls().filter(c => c.headers.authorization)).toEqual([]);
  expect(fake.calls().filter(c => c.status >= 400)).toEqual([]);
});
